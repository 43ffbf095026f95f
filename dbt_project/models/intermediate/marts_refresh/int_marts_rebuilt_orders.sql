{#- The orders whose int_orders and int_order_items rows a run recomputes
    (both keyed on order_id), as channel and source order id:

    * the orders a delivery since the last marts build touched
      (int_marts_changed_orders: new POS lines, every version of a re-delivered
      web event);
    * store orders whose POS record changed golden id (int_marts_moved_records);
    * web orders with a purchase event on a rebuilt cookie
      (int_marts_changed_cookies: the event's golden id or session can change);
    * orders with an item of a SKU whose inferred category changed.

    Empty without a previous build (then int_marts_refresh_scope rebuilds
    everything). -#}
-- depends_on: {{ ref('stg_web__events') }}
-- depends_on: {{ ref('stg_pos__transactions') }}
-- depends_on: {{ ref('int_marts_changed_orders') }}
-- depends_on: {{ ref('int_marts_moved_records') }}
-- depends_on: {{ ref('int_marts_changed_cookies') }}
-- depends_on: {{ ref('int_marts_changed_skus') }}
{%- set complete = marts_state_complete() %}

{% if complete %}
with changed_skus as (
    select sku from {{ ref('int_marts_changed_skus') }}
),

changed_cookies as (
    select user_pseudo_id from {{ ref('int_marts_changed_cookies') }}
),

order_ids as (
    select order_id from {{ ref('int_marts_changed_orders') }}
    union
    select 'store:' || source_record_id
    from {{ ref('int_marts_moved_records') }}
    where source = 'pos'
    union
    select 'web:' || coalesce(transaction_id, event_id)
    from {{ ref('stg_web__events') }}
    where event_name = 'purchase'
        and (user_pseudo_id in (select user_pseudo_id from changed_cookies)
            or item_sku in (select sku from changed_skus))
    union
    select 'store:' || transaction_id
    from {{ ref('stg_pos__transactions') }}
    where sku in (select sku from changed_skus) and transaction_id is not null
),

final as (
    select
        order_id,
        split_part(order_id, ':', 1) as channel,
        substr(order_id, strpos(order_id, ':') + 1) as source_order_id
    from order_ids
    where order_id is not null
)
{% else %}
with final as (
    select null::varchar as order_id, null::varchar as channel, null::varchar as source_order_id
    where false
)
{% endif %}

select * from final
