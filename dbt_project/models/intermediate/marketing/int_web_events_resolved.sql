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

{#- Read twice (the ordering columns, then the whole events); inlined, not
    materialized: a second scan of the table is cheaper than a copy of it. -#}
with web_events as not materialized (
    select rowid as event_row, * from {{ ref('stg_web__events') }}
    where {{ cookie_in_refresh() }}
),

{#- The web records keyed without their 'user:' / 'cookie:' prefix: the events
    join on their own column instead of building a string per event. -#}
web_xref as (
    select source_record_id, golden_id from {{ ref('stg_identity__customer_xrefs') }}
    where source = 'web'
),

account_xref as (
    select substr(source_record_id, length('user:') + 1) as user_id, golden_id
    from web_xref
    where starts_with(source_record_id, 'user:')
),

cookie_xref as (
    select substr(source_record_id, length('cookie:') + 1) as user_pseudo_id, golden_id
    from web_xref
    where starts_with(source_record_id, 'cookie:')
),

{#- Sessions are numbered on the ordering columns alone (the two windows sort
    these narrow rows, not whole events), then joined back on the row id. -#}
event_order as (
    select event_row, user_pseudo_id, event_at, event_id
    from web_events
    where event_at is not null
),

session_starts as (
    select
        event_row,
        user_pseudo_id,
        event_at,
        event_id,
        coalesce(
            event_at - lag(event_at) over (partition by user_pseudo_id order by event_at, event_id)
                > to_minutes({{ var('web_session_timeout_minutes') }}),
            true
        ) as is_session_start
    from event_order
),

session_numbers as (
    select
        event_row,
        sum(case when is_session_start then 1 else 0 end) over (
            partition by user_pseudo_id order by event_at, event_id rows unbounded preceding
        ) as session_number
    from session_starts
),

final as (
    select
        web_events.event_id,
        web_events.user_pseudo_id || '#' || session_numbers.session_number as session_id,
        coalesce(account_xref.golden_id, cookie_xref.golden_id) as golden_id,
        web_events.event_at,
        web_events.event_name,
        web_events.user_pseudo_id,
        web_events.user_id,
        web_events.page_location,
        web_events.utm_source,
        web_events.utm_medium,
        web_events.utm_campaign,
        web_events.device_category,
        web_events.item_sku,
        web_events.value,
        web_events.currency,
        web_events.transaction_id
    from web_events
    inner join session_numbers on session_numbers.event_row = web_events.event_row
    left join account_xref on account_xref.user_id = web_events.user_id
    left join cookie_xref on cookie_xref.user_pseudo_id = web_events.user_pseudo_id
)

{% if is_incremental() %}
select *, false as _cdp_removed from final
union all by name
{{ changed_cookie_removals() }}
{% else %}
select * from final
{% endif %}
