with customers as (
    select * from {{ ref('int_customer_features') }}
),

classified as (
    select
        golden_id,
        case
            when revenue_in_vip_window_vnd >= {{ var('seg_vip_min_revenue_vnd') }} then 'vip'
            when is_member then 'member'
            when order_count > 0 then 'walk_in'
            else 'prospect'
        end as segment,
        'revenue ' || revenue_in_vip_window_vnd || ' VND in ' || {{ var('seg_vip_window_days') }} || ' days' as segment_detail
    from customers
),

final as (
    select
        golden_id,
        'value_tier' as segment_family,
        segment,
        segment_detail,
        {{ segment_rule_version('value_tier') }} as rule_version
    from classified
)

select * from final
