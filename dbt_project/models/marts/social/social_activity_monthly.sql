{#- Social volume and sentiment trend per month and platform ('all' = every platform).
      mention_volume = interactions of kind mention
      average_sentiment = mean sentiment score (-1..1) of interactions with text
      positive_share / negative_share = labelled positive / negative / scored interactions
      net_sentiment = positive_share - negative_share -#}
with interactions as (
    select * from {{ ref('int_social_interactions_enriched') }}
),

by_month as (
    select *, cast(date_trunc('month', occurred_at) as date) as month_start
    from interactions
    where occurred_at is not null
),

aggregated as (
    select
        month_start,
        case when grouping(platform) = 1 then 'all' else platform end as platform,
        count(*) as interactions,
        count(*) filter (where kind = 'mention') as mention_volume,
        count(distinct social_profile_key) as active_profiles,
        count(sentiment_score) as scored_interactions,
        avg(sentiment_score) as average_sentiment,
        count(*) filter (where sentiment_label = 'positive') as positive_interactions,
        count(*) filter (where sentiment_label = 'negative') as negative_interactions
    from by_month
    group by grouping sets ((month_start), (month_start, platform))
),

final as (
    select
        md5(concat_ws('|', month_start, platform)) as social_metric_id,
        month_start,
        platform,
        interactions,
        mention_volume,
        active_profiles,
        scored_interactions,
        round(average_sentiment, 4) as average_sentiment,
        round(positive_interactions / nullif(scored_interactions, 0), 4) as positive_share,
        round(negative_interactions / nullif(scored_interactions, 0), 4) as negative_share,
        round((positive_interactions - negative_interactions) / nullif(scored_interactions, 0), 4) as net_sentiment
    from aggregated
)

select * from final
