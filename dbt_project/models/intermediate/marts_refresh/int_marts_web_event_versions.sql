{#- Every raw version of each web event delivered since the last marts build
    (web events are replaced by event_id, so an earlier version may have sat on
    another account, cookie or order): whose records, cookies and orders a run
    must refresh. Read by int_marts_changed_cookies, int_marts_changed_golden_ids
    and int_marts_changed_orders. Empty without a previous build (then
    int_marts_refresh_scope rebuilds everything). -#}
-- depends_on: {{ ref('stg_web__events') }}
-- depends_on: {{ source('raw', 'web__events') }}
{%- set complete = marts_state_complete() %}

{% if complete %}
with watermarks as (
    select * from {{ marts_previous_state('int_marts_state__watermarks') }}
),

new_web_event_ids as (
    select event_id
    from {{ ref('stg_web__events') }}
    where _loaded_at > (select stg_web__events from watermarks)
),

final as (
    select
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('user_pseudo_id') }} as user_pseudo_id,
        coalesce({{ clean_text('transaction_id') }}, {{ clean_text('event_id') }}) as web_order_key
    from {{ source('raw', 'web__events') }}
    where {{ clean_text('event_id') }} in (select event_id from new_web_event_ids)
)
{% else %}
with final as (
    select null::varchar as user_id, null::varchar as user_pseudo_id, null::varchar as web_order_key
    where false
)
{% endif %}

select * from final
