{#- Order ids a delivery since the last marts build touched (every version of
    a re-delivered web purchase), so the orders mart also refreshes orders
    without a golden id. Empty without a previous build (then
    int_marts_refresh_scope rebuilds everything). -#}
-- depends_on: {{ ref('stg_pos__transactions') }}
-- depends_on: {{ ref('int_marts_web_event_versions') }}
{%- set complete = marts_state_complete() %}

{% if complete %}
with watermarks as (
    select * from {{ marts_previous_state('int_marts_state__watermarks') }}
),

final as (
    select 'store:' || transaction_id as order_id
    from {{ ref('stg_pos__transactions') }}
    where _loaded_at > (select stg_pos__transactions from watermarks) and transaction_id is not null
    union
    select 'web:' || web_order_key
    from {{ ref('int_marts_web_event_versions') }}
)
{% else %}
with final as (
    select null::varchar as order_id
    where false
)
{% endif %}

select * from final
