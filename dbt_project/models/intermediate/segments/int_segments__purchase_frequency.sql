{#- Exactly one purchase-frequency segment per golden customer; the first rule
    that matches wins: lapsed, promo-only, regular, one-time walk-in, occasional
    for buyers; engaged-but-never-bought or inactive prospect for the rest. -#}
with customers as (
    select * from {{ ref('int_customer_features') }}
),

classified as (
    select
        golden_id,
        case
            when order_count = 0
                and {{ days_before('last_engagement_at', 'as_of_date') }} < {{ var('seg_engaged_window_days') }}
                then 'engaged_never_bought'
            when order_count = 0 then 'inactive_prospect'
            when days_since_last_order >= {{ var('seg_lapsed_after_days') }} then 'lapsed'
            when promo_order_count = order_count
                and order_count >= {{ var('seg_promo_only_min_orders') }} then 'promo_only'
            when orders_in_regular_window >= {{ var('seg_regular_min_orders') }} then 'regular'
            when order_count = 1 and store_order_count = 1 then 'one_time_walk_in'
            else 'occasional'
        end as segment,
        order_count || ' orders, last ' || coalesce(days_since_last_order || ' days ago', 'never') as segment_detail
    from customers
),

final as (
    select
        golden_id,
        'purchase_frequency' as segment_family,
        segment,
        segment_detail,
        {{ segment_rule_version('purchase_frequency') }} as rule_version
    from classified
)

select * from final
