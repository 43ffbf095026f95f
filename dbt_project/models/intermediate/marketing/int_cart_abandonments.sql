{#- One row per web session that added to cart or began checkout. The cart
    converted when the same customer (golden id, else cookie) ordered in any
    channel within seg_abandoned_cart_window_hours of the first cart event;
    otherwise it is abandoned once that window has passed. An abandoned cart
    re-converted when an order followed within metric_cart_reconversion_days
    after the window. -#}
with sessions as (
    select * from {{ ref('int_web_sessions') }}
),

orders as (
    select * from {{ ref('int_orders') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

carts as (
    select
        session_id,
        golden_id,
        user_pseudo_id,
        first_cart_at as cart_at,
        first_cart_at + to_hours({{ var('seg_abandoned_cart_window_hours') }}) as conversion_deadline_at
    from sessions
    where first_cart_at is not null
),

orders_after_cart as (
    select carts.session_id, orders.ordered_at
    from carts
    inner join orders on orders.golden_id = carts.golden_id and orders.ordered_at >= carts.cart_at
    union all
    select carts.session_id, orders.ordered_at
    from carts
    inner join orders on orders.user_pseudo_id = carts.user_pseudo_id and orders.ordered_at >= carts.cart_at
),

first_orders as (
    select
        carts.session_id,
        min(orders_after_cart.ordered_at) filter (
            where orders_after_cart.ordered_at <= carts.conversion_deadline_at
        ) as converted_at,
        min(orders_after_cart.ordered_at) filter (
            where orders_after_cart.ordered_at > carts.conversion_deadline_at
        ) as next_order_at
    from carts
    left join orders_after_cart on orders_after_cart.session_id = carts.session_id
    group by carts.session_id
),

classified as (
    select
        carts.session_id,
        carts.golden_id,
        carts.user_pseudo_id,
        carts.cart_at,
        carts.conversion_deadline_at,
        first_orders.converted_at,
        first_orders.converted_at is null
            and cast(carts.conversion_deadline_at as date) <= as_of.as_of_date as is_abandoned,
        case
            when first_orders.converted_at is null
                and first_orders.next_order_at <= carts.conversion_deadline_at
                    + to_days({{ var('metric_cart_reconversion_days') }})
            then first_orders.next_order_at
        end as reconverted_at
    from carts
    cross join as_of
    left join first_orders on first_orders.session_id = carts.session_id
),

final as (
    select
        *,
        is_abandoned and reconverted_at is not null as is_reconverted
    from classified
)

select * from final
