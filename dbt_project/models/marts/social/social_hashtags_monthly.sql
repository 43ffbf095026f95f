{#- Hashtag uses per month, ranked (1 = most used; ties share a rank). -#}
with interactions as (
    select * from {{ ref('int_social_interactions_enriched') }}
),

hashtag_uses as (
    select
        cast(date_trunc('month', occurred_at) as date) as month_start,
        unnest(hashtags) as hashtag,
        sentiment_score
    from interactions
    where occurred_at is not null
),

aggregated as (
    select month_start, hashtag, count(*) as uses, avg(sentiment_score) as average_sentiment
    from hashtag_uses
    group by month_start, hashtag
),

final as (
    select
        md5(concat_ws('|', month_start, hashtag)) as hashtag_metric_id,
        month_start,
        hashtag,
        uses,
        round(average_sentiment, 4) as average_sentiment,
        rank() over (partition by month_start order by uses desc) as usage_rank
    from aggregated
)

select * from final
