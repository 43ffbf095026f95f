with source as (
    select * from {{ source('enrichment', 'social_sentiment') }}
),

final as (
    select
        platform,
        interaction_id,
        language,
        sentiment_score,
        sentiment_label,
        scorer_version
    from source
)

select * from final
