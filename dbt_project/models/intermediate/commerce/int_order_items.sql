{#- One row per ordered item: POS line items and the item of a web purchase,
    with the product's category group (cross-sell and favourite category).

    Incremental like int_orders: a run replaces the items of the orders in
    int_marts_rebuilt_orders (which holds the orders with an item of a SKU
    whose inferred category changed). -#}
-- depends_on: {{ ref('int_marts_refresh_scope') }}
-- depends_on: {{ ref('int_marts_rebuilt_orders') }}

{{ marts_incremental_config(['order_id']) }}

with pos_transactions as (
    select * from {{ ref('stg_pos__transactions') }}
    where {{ order_in_refresh('store', 'transaction_id') }}
),

orders as (
    select * from {{ ref('int_orders') }}
    where {{ order_in_refresh() }}
),

web_events as (
    select * from {{ ref('int_web_events_resolved') }}
    where {{ order_in_refresh('web', 'coalesce(transaction_id, event_id)') }}
),

products as (
    select * from {{ ref('int_products') }}
),

currency_rates as (
    select * from {{ ref('currency_rates') }}
),

category_groups as (
    select * from {{ ref('product_category_groups') }}
),

store_items as (
    select
        'store:' || transaction_id as order_id,
        sku,
        category,
        quantity,
        line_amount as amount,
        currency
    from pos_transactions
    where transaction_id is not null
),

web_items as (
    select
        'web:' || coalesce(transaction_id, event_id) as order_id,
        item_sku as sku,
        null::varchar as category,
        1 as quantity,
        value as amount,
        currency
    from web_events
    where event_name = 'purchase'
    qualify row_number() over (partition by coalesce(transaction_id, event_id) order by event_at, event_id) = 1
),

items as (
    select * from store_items
    union all
    select * from web_items
),

{#- An item's number among the items of its order with the same SKU: almost
    every (order, SKU) has one item, so only the few that repeat are sorted
    (a window over every item sorts them all). -#}
repeated_skus as (
    select order_id, sku
    from items
    group by order_id, sku
    having count(*) > 1
),

numbered as (
    select items.*, 1 as item_number
    from items
    anti join repeated_skus on repeated_skus.order_id = items.order_id and repeated_skus.sku = items.sku
    union all
    select items.*, row_number() over (partition by items.order_id, items.sku order by items.amount)
    from items
    semi join repeated_skus on repeated_skus.order_id = items.order_id and repeated_skus.sku = items.sku
),

categorised as (
    select
        numbered.*,
        coalesce(numbered.category, products.category) as effective_category
    from numbered
    left join products on products.sku = numbered.sku
),

final as (
    select
        md5(concat_ws('|', categorised.order_id, categorised.sku, categorised.item_number)) as order_item_id,
        categorised.order_id,
        orders.golden_id,
        orders.channel,
        orders.ordered_at,
        categorised.sku,
        categorised.effective_category as category,
        coalesce(category_groups.category_group, 'other') as category_group,
        categorised.quantity,
        cast(categorised.amount * currency_rates.vnd_per_unit as decimal(18, 0)) as revenue_vnd
    from categorised
    inner join orders on orders.order_id = categorised.order_id
    left join category_groups on category_groups.category = categorised.effective_category
    left join currency_rates on currency_rates.currency = categorised.currency
)

{% if is_incremental() %}
select *, false as _cdp_removed from final
union all by name
{{ rebuilt_order_removals() }}
{% else %}
select * from final
{% endif %}
