{#- Web events with their golden customer and session. A logged-in event
    belongs to its account's golden id, any other event to its cookie's (cookies
    stitched by a login are identity records). Sessions: a new session starts
    after web_session_timeout_minutes of inactivity on a cookie.

    Incremental (macros/marts_refresh.sql): a run recomputes every event of the
    cookies in int_marts_changed_cookies (sessions number a cookie's events, so
    a cookie is the unit) and replaces that cookie's rows. -#}
-- depends_on: {{ ref('int_marts_refresh_scope') }}
-- depends_on: {{ ref('int_marts_changed_cookies') }}

{{ marts_incremental_config(['user_pseudo_id']) }}

with web_events as (
    select * from {{ ref('stg_web__events') }}
    where {{ cookie_in_refresh() }}
),

web_xref as (
    select * from {{ ref('stg_identity__customer_xrefs') }}
    where source = 'web'
),

session_starts as (
    select
        *,
        coalesce(
            event_at - lag(event_at) over (partition by user_pseudo_id order by event_at, event_id)
                > to_minutes({{ var('web_session_timeout_minutes') }}),
            true
        ) as is_session_start
    from web_events
    where event_at is not null
),

sessions_numbered as (
    select
        *,
        sum(case when is_session_start then 1 else 0 end) over (
            partition by user_pseudo_id order by event_at, event_id rows unbounded preceding
        ) as session_number
    from session_starts
),

final as (
    select
        sessions_numbered.event_id,
        sessions_numbered.user_pseudo_id || '#' || sessions_numbered.session_number as session_id,
        coalesce(account_xref.golden_id, cookie_xref.golden_id) as golden_id,
        sessions_numbered.event_at,
        sessions_numbered.event_name,
        sessions_numbered.user_pseudo_id,
        sessions_numbered.user_id,
        sessions_numbered.page_location,
        sessions_numbered.utm_source,
        sessions_numbered.utm_medium,
        sessions_numbered.utm_campaign,
        sessions_numbered.device_category,
        sessions_numbered.item_sku,
        sessions_numbered.value,
        sessions_numbered.currency,
        sessions_numbered.transaction_id
    from sessions_numbered
    left join web_xref as account_xref
        on account_xref.source_record_id = 'user:' || sessions_numbered.user_id
    left join web_xref as cookie_xref
        on cookie_xref.source_record_id = 'cookie:' || sessions_numbered.user_pseudo_id
)

{% if is_incremental() %}
select *, false as _cdp_removed from final
union all by name
{{ changed_cookie_removals() }}
{% else %}
select * from final
{% endif %}
