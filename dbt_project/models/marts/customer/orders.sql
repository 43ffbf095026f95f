{#- One row per order (store transaction or web purchase) with its golden
    customer: the fact table of the revenue metrics and the semantic layer.

    Incremental (macros/marts_refresh.sql): a run rebuilds the orders of the
    golden ids in int_marts_changed_golden_ids (all of them, so
    customer_order_number stays a count within the customer) and the orders a
    delivery touched; an order that left (or changed) its key is deleted. -#}
-- depends_on: {{ ref('int_marts_refresh_scope') }}
-- depends_on: {{ ref('int_marts_changed_golden_ids') }}
-- depends_on: {{ ref('int_marts_changed_orders') }}

{{ marts_incremental_config(['order_id']) }}

with all_orders as (
    select * from {{ ref('int_orders') }}
),

{% if is_incremental() %}
changed_golden_ids as (
    select * from {{ ref('int_marts_changed_golden_ids') }}
),

candidate_order_ids as materialized (
    select order_id from {{ ref('int_marts_changed_orders') }}
    union
    select order_id from {{ this }} where golden_id in (select golden_id from changed_golden_ids)
    union
    select order_id from all_orders where golden_id in (select golden_id from changed_golden_ids)
    union
    -- orders that lost their golden id (an erased person's: the erasure
    -- already deleted their rows here) stay as anonymous orders
    select order_id from all_orders
    where golden_id is null
        and order_id not in (select order_id from {{ this }} where golden_id is null)
),

orders as (
    select *
    from all_orders
    where (select rebuild_all from {{ ref('int_marts_refresh_scope') }})
        or order_id in (select order_id from candidate_order_ids)
),
{% else %}
orders as (
    select * from all_orders
),
{% endif %}

final as (
    select
        order_id,
        channel,
        source_order_id,
        golden_id,
        store_id,
        user_pseudo_id,
        session_id,
        ordered_at,
        cast(ordered_at as date) as order_date,
        item_quantity,
        currency,
        net_amount,
        revenue_vnd,
        discount_vnd,
        used_promo,
        payment_method,
        case when golden_id is not null
            then row_number() over (partition by golden_id order by ordered_at, order_id)
        end as customer_order_number
    from orders
)

{% if is_incremental() %}
select *, false as _cdp_removed from final
union all by name
select order_id, true as _cdp_removed from candidate_order_ids
{% else %}
select * from final
{% endif %}
