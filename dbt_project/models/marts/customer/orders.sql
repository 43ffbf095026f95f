{#- One row per order (store transaction or web purchase) with its golden
    customer: the fact table of the revenue metrics and the semantic layer. -#}
with orders as (
    select * from {{ ref('int_orders') }}
),

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
        row_number() over (partition by golden_id order by ordered_at, order_id) as customer_order_number
    from orders
)

select * from final
