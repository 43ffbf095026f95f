{#- Contract table: one row per golden customer with identity, lifetime figures
    across every channel and the current segment labels. -#}
with customers as (
    select * from {{ ref('int_customer_features') }}
),

purchase_frequency as (
    select * from {{ ref('int_segments__purchase_frequency') }}
),

value_tier as (
    select * from {{ ref('int_segments__value_tier') }}
),

rfm as (
    select * from {{ ref('int_segments__rfm') }}
),

generation as (
    select * from {{ ref('int_segments__generation') }}
),

lifecycle_stage as (
    select * from {{ ref('int_segments__lifecycle_stage') }}
),

{#- The same memberships as customer_segments, read from its inputs: the
    exclusive families hold one row per customer and join one to one, only the
    families with several segments per customer are aggregated (aggregating
    every membership into lists was most of this model's time). -#}
marketing_audiences as (
    select golden_id, list_sort(list(segment)) as segments
    from {{ ref('int_segments__marketing_audiences') }}
    group by golden_id
),

social_roles as (
    select golden_id, list_sort(list(segment)) as segments
    from {{ ref('int_segments__social') }}
    group by golden_id
),

final as (
    select
        customers.golden_id,
        customers.full_name,
        customers.primary_email,
        customers.primary_phone,
        customers.emails,
        customers.phones,
        customers.birth_date,
        customers.birth_month,
        customers.birth_day,
        customers.gender,
        customers.city,
        customers.first_seen_at,
        customers.last_seen_at,
        customers.sources,
        customers.record_count,
        customers.order_count,
        customers.store_order_count,
        customers.web_order_count,
        customers.total_revenue_vnd as total_revenue,
        customers.average_order_value_vnd as average_order_value,
        customers.total_discount_vnd as total_discount,
        customers.first_order_at,
        customers.last_order_at,
        customers.days_since_last_order,
        customers.favourite_category,
        customers.favourite_store,
        customers.favourite_channel,
        customers.is_member,
        customers.email_sends,
        customers.email_opens,
        customers.email_clicks,
        customers.email_engagement,
        customers.subscription_status,
        customers.web_sessions,
        customers.web_events,
        customers.last_web_session_at,
        customers.social_interactions,
        customers.social_mentions,
        customers.social_sentiment,
        customers.social_followers,
        customers.service_cases,
        customers.open_service_cases,
        customers.latest_csat,
        customers.latest_nps,
        customers.latest_ces,
        customers.opportunities,
        customers.won_opportunities,
        customers.won_amount_vnd,
        lifecycle_stage.segment as lifecycle_stage,
        purchase_frequency.segment as purchase_frequency_segment,
        value_tier.segment as value_tier,
        rfm.segment as rfm_segment,
        rfm.segment_detail as rfm_score,
        generation.segment as generation,
        coalesce(marketing_audiences.segments, []::varchar[]) as marketing_audiences,
        coalesce(social_roles.segments, []::varchar[]) as social_segments,
        -- every family:segment label, in family then segment order (each
        -- exclusive family holds one segment per customer, tested); a prefix
        -- shared by a family's labels keeps its segments' sort order, so the
        -- sorted segments are prefixed rather than a second list sorted
        list_concat(
            ['generation:' || generation.segment, 'lifecycle_stage:' || lifecycle_stage.segment],
            list_transform(
                coalesce(marketing_audiences.segments, []::varchar[]), lambda segment: 'marketing_audience:' || segment
            ),
            ['purchase_frequency:' || purchase_frequency.segment, 'rfm:' || rfm.segment],
            list_transform(coalesce(social_roles.segments, []::varchar[]), lambda segment: 'social:' || segment),
            ['value_tier:' || value_tier.segment]
        ) as segment_labels,
        customers.as_of_date
    -- one pass over int_customer_features: joining the labels in a CTE of
    -- their own and that back onto the customers made DuckDB materialise
    -- every customer's wide row first
    from customers
    left join purchase_frequency on purchase_frequency.golden_id = customers.golden_id
    left join value_tier on value_tier.golden_id = customers.golden_id
    left join rfm on rfm.golden_id = customers.golden_id
    left join generation on generation.golden_id = customers.golden_id
    left join lifecycle_stage on lifecycle_stage.golden_id = customers.golden_id
    left join marketing_audiences on marketing_audiences.golden_id = customers.golden_id
    left join social_roles on social_roles.golden_id = customers.golden_id
)

select * from final
