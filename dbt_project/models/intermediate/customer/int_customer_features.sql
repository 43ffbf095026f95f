{#- One row per golden customer with every lifetime figure the 360 view and the
    segment rules need: int_customer_lifetime (incremental, the figures that do
    not depend on the as-of date) plus those measured from int_as_of_date, which
    moves with every daily drop and so are recomputed for everyone: orders and
    revenue in the rule windows, days since the last order, the last abandoned
    cart (a cart is abandoned once its window has passed the as-of date). -#}
with lifetime as (
    select * from {{ ref('int_customer_lifetime') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

orders as (
    select * from {{ ref('int_orders') }}
),

cart_abandonments as (
    select * from {{ ref('int_cart_abandonments') }}
),

order_windows as (
    select
        orders.golden_id,
        count(*) filter (
            where cast(orders.ordered_at as date) > as_of.as_of_date - to_days({{ var('seg_regular_window_days') }})
        ) as orders_in_regular_window,
        coalesce(sum(orders.revenue_vnd) filter (
            where cast(orders.ordered_at as date) > as_of.as_of_date - to_days({{ var('seg_vip_window_days') }})
        ), 0) as revenue_in_vip_window_vnd
    from orders
    cross join as_of
    where orders.golden_id is not null
        and cast(orders.ordered_at as date) > as_of.as_of_date - to_days(greatest(
            {{ var('seg_regular_window_days') }}, {{ var('seg_vip_window_days') }}
        ))
    group by orders.golden_id
),

cart_summary as (
    select golden_id, max(cart_at) as last_abandoned_cart_at
    from cart_abandonments
    where golden_id is not null and is_abandoned
    group by golden_id
),

final as (
    select
        lifetime.golden_id,
        lifetime.full_name,
        lifetime.primary_email,
        lifetime.primary_phone,
        lifetime.emails,
        lifetime.phones,
        lifetime.birth_date,
        lifetime.birth_month,
        lifetime.birth_day,
        lifetime.gender,
        lifetime.city,
        lifetime.sources,
        lifetime.record_count,
        lifetime.first_seen_at,
        lifetime.last_seen_at,
        as_of.as_of_date,
        lifetime.order_count,
        lifetime.store_order_count,
        lifetime.web_order_count,
        lifetime.promo_order_count,
        coalesce(order_windows.orders_in_regular_window, 0) as orders_in_regular_window,
        lifetime.total_revenue_vnd,
        coalesce(order_windows.revenue_in_vip_window_vnd, 0) as revenue_in_vip_window_vnd,
        lifetime.total_discount_vnd,
        lifetime.average_order_value_vnd,
        lifetime.first_order_at,
        lifetime.last_order_at,
        lifetime.first_order_channel,
        date_diff('day', cast(lifetime.last_order_at as date), as_of.as_of_date) as days_since_last_order,
        lifetime.favourite_category,
        lifetime.favourite_store,
        lifetime.favourite_channel,
        lifetime.category_groups_bought,
        lifetime.is_member,
        lifetime.email_sends,
        lifetime.email_deliveries,
        lifetime.email_opens,
        lifetime.email_clicks,
        lifetime.email_engagement,
        lifetime.last_email_engagement_at,
        lifetime.subscription_status,
        lifetime.web_sessions,
        lifetime.web_events,
        lifetime.last_web_session_at,
        lifetime.last_item_view_at,
        cart_summary.last_abandoned_cart_at,
        lifetime.social_interactions,
        lifetime.social_mentions,
        lifetime.social_positive_interactions,
        lifetime.social_negative_interactions,
        lifetime.social_sentiment,
        lifetime.last_social_at,
        lifetime.social_followers,
        lifetime.service_cases,
        lifetime.open_service_cases,
        lifetime.latest_csat,
        lifetime.latest_nps,
        lifetime.latest_ces,
        lifetime.opportunities,
        lifetime.open_opportunities,
        lifetime.won_opportunities,
        lifetime.won_amount_vnd,
        lifetime.crm_lifecycle_stage,
        lifetime.last_engagement_at
    from lifetime
    cross join as_of
    left join order_windows on order_windows.golden_id = lifetime.golden_id
    left join cart_summary on cart_summary.golden_id = lifetime.golden_id
)

select * from final
