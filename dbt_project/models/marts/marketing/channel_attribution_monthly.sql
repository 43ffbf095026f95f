{#- Orders and revenue per month and UTM source / medium / campaign under two
    models: last_touch credits the latest UTM-tagged web session of the same
    customer (golden id, else cookie) in the metric_attribution_window_days
    before the order, first_touch the earliest; orders without one are
    credited to (direct) / (none). Sessions are the UTM-tagged sessions that
    started in the month. -#}
with orders as (
    select * from {{ ref('orders') }}
),

sessions as (
    select * from {{ ref('int_web_sessions') }}
),

tagged_sessions as (
    select session_id, golden_id, user_pseudo_id, started_at, utm_source, utm_medium, utm_campaign
    from sessions
    where utm_source is not null
),

order_keys as (
    select order_id, golden_id, user_pseudo_id, ordered_at, revenue_vnd
    from orders
    where ordered_at is not null
),

touches as (
    select order_keys.order_id, tagged_sessions.*
    from order_keys
    inner join tagged_sessions on tagged_sessions.golden_id = order_keys.golden_id
        and tagged_sessions.started_at <= order_keys.ordered_at
        and tagged_sessions.started_at > order_keys.ordered_at - to_days({{ var('metric_attribution_window_days') }})
    union
    select order_keys.order_id, tagged_sessions.*
    from order_keys
    inner join tagged_sessions on tagged_sessions.user_pseudo_id = order_keys.user_pseudo_id
        and tagged_sessions.started_at <= order_keys.ordered_at
        and tagged_sessions.started_at > order_keys.ordered_at - to_days({{ var('metric_attribution_window_days') }})
),

ranked_touches as (
    select
        order_id,
        utm_source,
        utm_medium,
        utm_campaign,
        row_number() over (partition by order_id order by started_at desc, session_id) = 1 as is_last,
        row_number() over (partition by order_id order by started_at, session_id) = 1 as is_first
    from touches
),

{#- One row per touched order with both models' credit: the credits are
    joined to the orders once, instead of every order twice (once per model)
    with a join condition per model. Exactly one touch of an order is its last
    and one its first (row_number), so any_value takes that touch's value. -#}
touch_credits as (
    select
        order_id,
        any_value(utm_source) filter (where is_last) as last_touch_source,
        any_value(utm_medium) filter (where is_last) as last_touch_medium,
        any_value(utm_campaign) filter (where is_last) as last_touch_campaign,
        any_value(utm_source) filter (where is_first) as first_touch_source,
        any_value(utm_medium) filter (where is_first) as first_touch_medium,
        any_value(utm_campaign) filter (where is_first) as first_touch_campaign
    from ranked_touches
    group by order_id
),

order_credits as materialized (
    select
        order_keys.order_id,
        order_keys.golden_id,
        order_keys.revenue_vnd,
        cast(date_trunc('month', order_keys.ordered_at) as date) as month_start,
        touch_credits.last_touch_source,
        touch_credits.last_touch_medium,
        touch_credits.last_touch_campaign,
        touch_credits.first_touch_source,
        touch_credits.first_touch_medium,
        touch_credits.first_touch_campaign
    from order_keys
    left join touch_credits on touch_credits.order_id = order_keys.order_id
),

credited as (
    {%- for touch in ['last', 'first'] %}
    select
        '{{ touch }}_touch' as attribution_model,
        order_id,
        golden_id,
        revenue_vnd,
        month_start,
        coalesce({{ touch }}_touch_source, '(direct)') as utm_source,
        coalesce({{ touch }}_touch_medium, '(none)') as utm_medium,
        coalesce({{ touch }}_touch_campaign, '(none)') as utm_campaign
    from order_credits
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

credited_orders as (
    select
        attribution_model, month_start, utm_source, utm_medium, utm_campaign,
        count(*) as orders,
        count(distinct golden_id) as customers,
        coalesce(sum(revenue_vnd), 0) as revenue_vnd
    from credited
    group by all
),

session_counts as (
    select
        cast(date_trunc('month', started_at) as date) as month_start,
        utm_source, coalesce(utm_medium, '(none)') as utm_medium, coalesce(utm_campaign, '(none)') as utm_campaign,
        count(*) as sessions
    from tagged_sessions
    group by all
),

final as (
    select
        md5(concat_ws('|', credited_orders.attribution_model, credited_orders.month_start, credited_orders.utm_source,
            credited_orders.utm_medium, credited_orders.utm_campaign)) as attribution_metric_id,
        credited_orders.attribution_model,
        credited_orders.month_start,
        credited_orders.utm_source,
        credited_orders.utm_medium,
        credited_orders.utm_campaign,
        coalesce(session_counts.sessions, 0) as sessions,
        credited_orders.orders,
        credited_orders.customers,
        credited_orders.revenue_vnd
    from credited_orders
    left join session_counts
        on session_counts.month_start = credited_orders.month_start
        and session_counts.utm_source = credited_orders.utm_source
        and session_counts.utm_medium = credited_orders.utm_medium
        and session_counts.utm_campaign = credited_orders.utm_campaign
)

select * from final
