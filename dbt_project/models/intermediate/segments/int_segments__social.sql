{#- Social roles; a customer may be in several or none. -#}
with customers as (
    select * from {{ ref('int_customer_features') }}
),

advocates as (
    select golden_id, 'advocate' as segment, 'sentiment ' || social_sentiment as segment_detail
    from customers
    where social_sentiment >= {{ var('seg_advocate_min_sentiment') }}
        and social_positive_interactions >= {{ var('seg_advocate_min_positive') }}
),

detractors as (
    select golden_id, 'detractor' as segment, 'sentiment ' || social_sentiment as segment_detail
    from customers
    where social_sentiment <= {{ var('seg_detractor_max_sentiment') }}
        and social_negative_interactions >= {{ var('seg_detractor_min_negative') }}
),

influencers as (
    select golden_id, 'influencer' as segment, social_followers || ' followers' as segment_detail
    from customers
    where social_followers >= {{ var('seg_influencer_min_followers') }}
),

roles as (
    select * from advocates
    union all
    select * from detractors
    union all
    select * from influencers
),

final as (
    select
        golden_id,
        'social' as segment_family,
        segment,
        segment_detail,
        {{ segment_rule_version('social') }} as rule_version
    from roles
)

select * from final
