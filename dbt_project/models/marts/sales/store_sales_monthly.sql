{#- Orders per month, channel and store (web orders have store 'web').
      average_order_value_vnd = revenue_vnd / orders
      repeat_customer_share = identified buyers who had ordered before the month / identified buyers
      promo_order_share = orders with a promo code or discount / orders -#}
with orders as (
    select * from {{ ref('orders') }}
),

orders_by_month as (
    select
        *,
        cast(date_trunc('month', ordered_at) as date) as month_start,
        coalesce(store_id, channel) as store
    from orders
    where ordered_at is not null
),

first_orders as (
    select golden_id, min(month_start) as first_order_month
    from orders_by_month
    where golden_id is not null
    group by golden_id
),

final as (
    select
        md5(concat_ws('|', orders_by_month.month_start, orders_by_month.channel, orders_by_month.store))
            as store_sales_metric_id,
        orders_by_month.month_start,
        orders_by_month.channel,
        orders_by_month.store,
        count(*) as orders,
        coalesce(sum(orders_by_month.revenue_vnd), 0) as revenue_vnd,
        round(sum(orders_by_month.revenue_vnd) / count(*)) as average_order_value_vnd,
        count(distinct orders_by_month.golden_id) as identified_buyers,
        round(count(distinct orders_by_month.golden_id) filter (
            where first_orders.first_order_month < orders_by_month.month_start
        ) / nullif(count(distinct orders_by_month.golden_id), 0), 4) as repeat_customer_share,
        round(count(*) filter (where orders_by_month.used_promo) / count(*), 4) as promo_order_share
    from orders_by_month
    left join first_orders on first_orders.golden_id = orders_by_month.golden_id
    group by orders_by_month.month_start, orders_by_month.channel, orders_by_month.store
)

select * from final
