{#- Cart sessions per month of the first cart event.
      abandonment_rate = abandoned carts / carts whose conversion window has passed
      reconversion_rate = abandoned carts followed by an order within
                          metric_cart_reconversion_days / abandoned carts -#}
with carts as (
    select * from {{ ref('int_cart_abandonments') }}
),

final as (
    select
        cast(date_trunc('month', cart_at) as date) as month_start,
        count(*) as carts,
        count(converted_at) as converted_carts,
        count(*) filter (where is_abandoned) as abandoned_carts,
        count(*) filter (where is_reconverted) as reconverted_carts,
        round(count(*) filter (where is_abandoned)
            / nullif(count(*) filter (where is_abandoned or converted_at is not null), 0), 4) as abandonment_rate,
        round(count(*) filter (where is_reconverted) / nullif(count(*) filter (where is_abandoned), 0), 4)
            as reconversion_rate
    from carts
    group by 1
)

select * from final
