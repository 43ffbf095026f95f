{#- RFM on configured cut-offs (vars seg_rfm_*), scores 1-5, and the named cell
    of the recency x frequency grid; customers without an order are no_purchase. -#}
with customers as (
    select * from {{ ref('int_customer_features') }}
),

scored as (
    select
        golden_id,
        order_count,
        {{ score_lower_is_better('days_since_last_order', var('seg_rfm_recency_days')) }} as recency_score,
        {{ score_higher_is_better('order_count', var('seg_rfm_frequency_orders')) }} as frequency_score,
        {{ score_higher_is_better('total_revenue_vnd', var('seg_rfm_monetary_vnd')) }} as monetary_score
    from customers
),

named_cells as (
    select
        golden_id,
        case
            when order_count = 0 then 'no_purchase'
            when recency_score >= 4 and frequency_score >= 4 then 'champions'
            when recency_score >= 3 and frequency_score >= 3 then 'loyal'
            when recency_score >= 4 and frequency_score = 2 then 'potential_loyalist'
            when recency_score = 5 and frequency_score = 1 then 'new_customer'
            when recency_score = 4 and frequency_score = 1 then 'promising'
            when recency_score = 3 then 'need_attention'
            when frequency_score = 5 then 'cannot_lose'
            when frequency_score >= 3 then 'at_risk'
            when recency_score = 2 then 'hibernating'
            else 'lost'
        end as segment,
        case when order_count > 0
            then 'R' || recency_score || 'F' || frequency_score || 'M' || monetary_score
        end as segment_detail
    from scored
),

final as (
    select
        golden_id,
        'rfm' as segment_family,
        segment,
        segment_detail,
        {{ segment_rule_version('rfm') }} as rule_version
    from named_cells
)

select * from final
