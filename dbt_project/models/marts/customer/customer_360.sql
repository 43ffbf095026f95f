{#- Contract table: one row per golden customer with identity, lifetime figures
    across every channel and the current segment labels. -#}
with customers as (
    select * from {{ ref('int_customer_features') }}
),

segments as (
    select * from {{ ref('customer_segments') }}
),

segment_labels as (
    select
        golden_id,
        max(segment) filter (where segment_family = 'purchase_frequency') as purchase_frequency_segment,
        max(segment) filter (where segment_family = 'value_tier') as value_tier,
        max(segment) filter (where segment_family = 'rfm') as rfm_segment,
        max(segment_detail) filter (where segment_family = 'rfm') as rfm_score,
        max(segment) filter (where segment_family = 'generation') as generation,
        max(segment) filter (where segment_family = 'lifecycle_stage') as lifecycle_stage,
        coalesce(list(segment order by segment) filter (where segment_family = 'marketing_audience'), []::varchar[])
            as marketing_audiences,
        coalesce(list(segment order by segment) filter (where segment_family = 'social'), []::varchar[])
            as social_segments,
        list(segment_family || ':' || segment order by segment_family, segment) as segment_labels
    from segments
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
        segment_labels.lifecycle_stage,
        segment_labels.purchase_frequency_segment,
        segment_labels.value_tier,
        segment_labels.rfm_segment,
        segment_labels.rfm_score,
        segment_labels.generation,
        segment_labels.marketing_audiences,
        segment_labels.social_segments,
        segment_labels.segment_labels,
        customers.as_of_date
    from customers
    left join segment_labels on segment_labels.golden_id = customers.golden_id
)

select * from final
