{#- One row per web session (a cookie's events without a
    web_session_timeout_minutes gap, numbered in int_web_events_resolved).

    Incremental like int_web_events_resolved: a run replaces the sessions of
    the cookies in int_marts_changed_cookies. -#}
-- depends_on: {{ ref('int_marts_refresh_scope') }}
-- depends_on: {{ ref('int_marts_changed_cookies') }}

{{ marts_incremental_config(['user_pseudo_id']) }}

with web_events as (
    select * from {{ ref('int_web_events_resolved') }}
    where {{ cookie_in_refresh() }}
),

final as (
    select
        session_id,
        min(user_pseudo_id) as user_pseudo_id,
        {{ stable_mode('golden_id') }} as golden_id,
        min(event_at) as started_at,
        max(event_at) as ended_at,
        count(*) as event_count,
        count(*) filter (where event_name = 'page_view') as page_views,
        count(*) filter (where event_name = 'view_item') as item_views,
        count(*) filter (where event_name = 'add_to_cart') as add_to_carts,
        count(*) filter (where event_name = 'begin_checkout') as checkouts,
        count(*) filter (where event_name = 'purchase') as purchases,
        min(event_at) filter (where event_name in ('add_to_cart', 'begin_checkout')) as first_cart_at,
        arg_min(utm_source, {{ key_with_tie_breaker('event_at', 'event_id') }}) filter (where utm_source is not null) as utm_source,
        arg_min(utm_medium, {{ key_with_tie_breaker('event_at', 'event_id') }}) filter (where utm_source is not null) as utm_medium,
        arg_min(utm_campaign, {{ key_with_tie_breaker('event_at', 'event_id') }}) filter (where utm_source is not null) as utm_campaign,
        arg_min(device_category, {{ key_with_tie_breaker('event_at', 'event_id') }}) as device_category,
        arg_min(page_location, {{ key_with_tie_breaker('event_at', 'event_id') }}) as landing_page
    from web_events
    group by session_id
)

{% if is_incremental() %}
select *, false as _cdp_removed from final
union all by name
{{ changed_cookie_removals() }}
{% else %}
select * from final
{% endif %}
