{#- Activation audiences; a customer may be in several or none. -#}
with customers as (
    select * from {{ ref('int_customer_features') }}
),

abandoned_cart as (
    select golden_id, 'abandoned_cart' as segment, cast(last_abandoned_cart_at as varchar) as segment_detail
    from customers
    where {{ days_before('last_abandoned_cart_at', 'as_of_date') }} <= {{ var('seg_abandoned_cart_lookback_days') }}
        and (last_order_at is null or last_order_at < last_abandoned_cart_at)
),

web_retargeting as (
    select golden_id, 'web_retargeting' as segment, cast(last_item_view_at as varchar) as segment_detail
    from customers
    where {{ days_before('last_item_view_at', 'as_of_date') }} <= {{ var('seg_retargeting_window_days') }}
        and (last_order_at is null or last_order_at < last_item_view_at)
),

cross_sell as (
    select golden_id, 'cross_sell' as segment, array_to_string(category_groups_bought, ',') as segment_detail
    from customers
    where list_contains(category_groups_bought, '{{ var("seg_cross_sell_from_group") }}')
        and not list_contains(category_groups_bought, '{{ var("seg_cross_sell_to_group") }}')
),

win_back as (
    select golden_id, 'win_back' as segment, days_since_last_order || ' days since last order' as segment_detail
    from customers
    where days_since_last_order between {{ var('seg_win_back_min_days') }} and {{ var('seg_win_back_max_days') }}
        and (primary_email is not null or primary_phone is not null)
),

audiences as (
    select * from abandoned_cart
    union all
    select * from web_retargeting
    union all
    select * from cross_sell
    union all
    select * from win_back
),

final as (
    select
        golden_id,
        'marketing_audience' as segment_family,
        segment,
        segment_detail,
        {{ segment_rule_version('marketing_audience') }} as rule_version
    from audiences
)

select * from final
