{#- Social interactions with their golden customer, the sentiment scored by the
    enrichment asset, the hashtags in the text and the profile's audience. -#}
with social_interactions as (
    select * from {{ ref('stg_social__interactions') }}
),

social_profiles as (
    select * from {{ ref('stg_social__profiles') }}
),

sentiments as (
    select * from {{ ref('stg_enrichment__social_sentiments') }}
),

social_xref as (
    select * from {{ ref('stg_identity__customer_xrefs') }}
    where source = 'social'
),

final as (
    select
        social_interactions.platform || ':' || social_interactions.interaction_id as social_interaction_key,
        social_interactions.interaction_id,
        social_interactions.platform,
        social_interactions.social_profile_key,
        social_xref.golden_id,
        social_interactions.kind,
        social_interactions.text,
        social_interactions.occurred_at,
        social_interactions.in_reply_to,
        coalesce(sentiments.language, social_interactions.lang) as language,
        sentiments.sentiment_score,
        sentiments.sentiment_label,
        list_distinct(
            list_transform(regexp_extract_all(social_interactions.text, '#[[:alnum:]_]+'), lambda tag: lower(tag))
        ) as hashtags,
        social_profiles.handle,
        social_profiles.followers
    from social_interactions
    left join sentiments
        on sentiments.platform = social_interactions.platform
        and sentiments.interaction_id = social_interactions.interaction_id
    left join social_profiles on social_profiles.social_profile_key = social_interactions.social_profile_key
    left join social_xref on social_xref.source_record_id = social_interactions.social_profile_key
)

select * from final
