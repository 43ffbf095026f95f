{#- One row per web session (a cookie's events without a
    web_session_timeout_minutes gap, numbered in int_web_events_resolved).

    Incremental like int_web_events_resolved: a run replaces the sessions of
    the cookies in int_marts_changed_cookies. -#}
-- depends_on: {{ ref('int_marts_refresh_scope') }}
-- depends_on: {{ ref('int_marts_changed_cookies') }}

{{ marts_incremental_config(['user_pseudo_id']) }}

{#- Read twice (the session figures, the golden id counts); inlined, not
    materialized: a second scan of the table is cheaper than a copy of it. -#}
with web_events as not materialized (
    select * from {{ ref('int_web_events_resolved') }}
    where {{ cookie_in_refresh() }}
),

{#- The first event's UTM columns (and its device and page) travel as one
    struct: one arg_min instead of one per column, same row. -#}
sessions as (
    select
        session_id,
        min(user_pseudo_id) as user_pseudo_id,
        min(event_at) as started_at,
        max(event_at) as ended_at,
        count(*) as event_count,
        count(*) filter (where event_name = 'page_view') as page_views,
        count(*) filter (where event_name = 'view_item') as item_views,
        count(*) filter (where event_name = 'add_to_cart') as add_to_carts,
        count(*) filter (where event_name = 'begin_checkout') as checkouts,
        count(*) filter (where event_name = 'purchase') as purchases,
        min(event_at) filter (where event_name in ('add_to_cart', 'begin_checkout')) as first_cart_at,
        arg_min(
            struct_pack(utm_source, utm_medium, utm_campaign), {{ key_with_tie_breaker('event_at', 'event_id') }}
        ) filter (where utm_source is not null) as first_utm,
        arg_min(
            struct_pack(device_category, page_location), {{ key_with_tie_breaker('event_at', 'event_id') }}
        ) as first_event
    from web_events
    group by session_id
),

{#- A session's golden id: the most frequent (as stable_mode), from one count
    per session and golden id instead of a histogram per session. -#}
session_golden_ids as (
    select session_id, {{ most_frequent('golden_id', 'events') }} as golden_id
    from (
        select session_id, golden_id, count(*) as events
        from web_events
        where golden_id is not null
        group by session_id, golden_id
    ) as session_owners
    group by session_id
),

final as (
    select
        sessions.session_id,
        sessions.user_pseudo_id,
        session_golden_ids.golden_id,
        sessions.started_at,
        sessions.ended_at,
        sessions.event_count,
        sessions.page_views,
        sessions.item_views,
        sessions.add_to_carts,
        sessions.checkouts,
        sessions.purchases,
        sessions.first_cart_at,
        sessions.first_utm.utm_source,
        sessions.first_utm.utm_medium,
        sessions.first_utm.utm_campaign,
        sessions.first_event.device_category,
        sessions.first_event.page_location as landing_page
    from sessions
    left join session_golden_ids on session_golden_ids.session_id = sessions.session_id
)

{% if is_incremental() %}
select *, false as _cdp_removed from final
union all by name
{{ changed_cookie_removals() }}
{% else %}
select * from final
{% endif %}
