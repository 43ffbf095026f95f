{#- Social profiles ranked by reach: followers, then engagement with the brand.
      is_influencer = followers >= seg_influencer_min_followers
      engagement_reach = followers * interactions (audience exposed to the brand) -#}
with profiles as (
    select * from {{ ref('stg_social__profiles') }}
),

interactions as (
    select * from {{ ref('int_social_interactions_enriched') }}
),

xref as (
    select * from {{ ref('stg_identity__customer_xrefs') }}
    where source = 'social'
),

activity as (
    select
        social_profile_key,
        count(*) as interactions,
        count(*) filter (where kind = 'mention') as mentions,
        avg(sentiment_score) as average_sentiment,
        max(occurred_at) as last_interaction_at
    from interactions
    group by social_profile_key
),

final as (
    select
        profiles.social_profile_key,
        profiles.platform,
        profiles.handle,
        xref.golden_id,
        coalesce(profiles.followers, 0) as followers,
        coalesce(activity.interactions, 0) as interactions,
        coalesce(activity.mentions, 0) as mentions,
        round(activity.average_sentiment, 4) as average_sentiment,
        activity.last_interaction_at,
        coalesce(profiles.followers, 0) >= {{ var('seg_influencer_min_followers') }} as is_influencer,
        coalesce(profiles.followers, 0) * coalesce(activity.interactions, 0) as engagement_reach,
        row_number() over (
            order by coalesce(profiles.followers, 0) desc, coalesce(activity.interactions, 0) desc,
                profiles.social_profile_key
        ) as influence_rank
    from profiles
    left join activity on activity.social_profile_key = profiles.social_profile_key
    left join xref on xref.source_record_id = profiles.social_profile_key
)

select * from final
