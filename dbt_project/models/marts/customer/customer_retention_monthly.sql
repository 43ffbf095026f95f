{#- Monthly churn, retention, repurchase and retention cost, overall and by
    current value tier. A customer is active on a date when they ordered in the
    metric_churn_inactivity_days days up to it.
      customers_at_start = active on the day before the month starts
      retained_customers = of those, still active on the month's last day
      churn_rate         = (customers_at_start - retained_customers) / customers_at_start
      retention_rate     = retained_customers / customers_at_start
      repurchase_rate    = buyers in the month who had ordered before / buyers in the month
      retention_cost_vnd = programme costs valid in the month (seed retention_programme_costs)
                           + discounts on orders of returning buyers ('all' rows only)
      customer_retention_cost_vnd = retention_cost_vnd / retained_customers -#}
{%- set inactivity_days = var('metric_churn_inactivity_days') -%}
with orders as (
    select * from {{ ref('orders') }}
),

value_tiers as (
    select * from {{ ref('int_segments__value_tier') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

programme_costs as (
    select * from {{ ref('retention_programme_costs') }}
),

customer_orders as (
    select golden_id, order_date, discount_vnd
    from orders
    where golden_id is not null and order_date is not null
),

months as (
    select
        cast(month_start as date) as month_start,
        cast(month_start + interval 1 month - interval 1 day as date) as month_end
    from as_of,
        generate_series(
            (select date_trunc('month', min(order_date)) from customer_orders),
            date_trunc('month', as_of.as_of_date),
            interval 1 month
        ) as spine(month_start)
),

first_orders as (
    select golden_id, min(order_date) as first_order_date
    from customer_orders
    group by golden_id
),

{#- One row per customer who ordered, with their tier, first order and a small
    integer key: the months x customers grouping below and its joins then run
    on that key instead of the golden id text (the key is internal, its values
    never reach a row). Materialised so that every reader sees one numbering. -#}
customers as materialized (
    select
        row_number() over () as customer_key,
        first_orders.first_order_date,
        coalesce(value_tiers.segment, 'unknown') as value_tier,
        first_orders.golden_id
    from first_orders
    left join value_tiers on value_tiers.golden_id = first_orders.golden_id
),

keyed_orders as (
    select customers.customer_key, customer_orders.order_date, customer_orders.discount_vnd
    from customer_orders
    inner join customers on customers.golden_id = customer_orders.golden_id
),

{#- Only orders from inactivity_days + 1 days before a month up to its end can
    make a customer active or a buyer in it; an older order only says the
    customer had ordered before (first_orders). Joining every month with every
    earlier order instead made the join months x orders (most of this model's
    time at 1M people). A customer with no order in that window adds nothing
    to any count of the month. -#}
customer_months as (
    select
        months.month_start,
        keyed_orders.customer_key,
        max(keyed_orders.order_date) filter (where keyed_orders.order_date < months.month_start)
            as last_order_before_month,
        max(keyed_orders.order_date) as last_order_by_month_end,
        count(*) filter (where keyed_orders.order_date >= months.month_start) as orders_in_month,
        coalesce(sum(keyed_orders.discount_vnd) filter (
            where keyed_orders.order_date >= months.month_start
        ), 0) as discounts_in_month_vnd,
        max(months.month_end) as month_end
    from months
    inner join keyed_orders
        on keyed_orders.order_date <= months.month_end
        and keyed_orders.order_date > months.month_start - to_days({{ inactivity_days }} + 1)
    group by months.month_start, keyed_orders.customer_key
),

customer_month_states as (
    select
        customer_months.*,
        customers.value_tier,
        coalesce(last_order_before_month > month_start - to_days({{ inactivity_days }} + 1), false)
            as active_at_start,
        last_order_by_month_end > month_end - to_days({{ inactivity_days }}) as active_at_end,
        orders_in_month > 0 as bought_in_month,
        orders_in_month > 0 and customers.first_order_date < customer_months.month_start
            as repurchased_in_month
    from customer_months
    inner join customers on customers.customer_key = customer_months.customer_key
),

{#- A row of zeros for every month and value tier with a customer who had
    ordered by the month's end, so every such month x tier keeps its row (of
    zeros) when no customer of the tier ordered in the window. -#}
tier_first_orders as (
    select value_tier, min(first_order_date) as first_order_date
    from customers
    group by value_tier
),

month_tiers as (
    select
        months.month_start,
        tier_first_orders.value_tier,
        false as active_at_start,
        false as active_at_end,
        false as bought_in_month,
        false as repurchased_in_month,
        0 as discounts_in_month_vnd
    from months
    inner join tier_first_orders on tier_first_orders.first_order_date <= months.month_end
),

month_states as (
    select month_start, value_tier, active_at_start, active_at_end, bought_in_month, repurchased_in_month,
        discounts_in_month_vnd
    from customer_month_states
    union all
    select * from month_tiers
),

by_dimension as (
    select
        month_start,
        case when grouping(value_tier) = 1 then 'all' else 'value_tier' end as dimension,
        coalesce(value_tier, 'all') as dimension_value,
        count(*) filter (where active_at_start) as customers_at_start,
        count(*) filter (where active_at_start and active_at_end) as retained_customers,
        count(*) filter (where bought_in_month) as buyers,
        count(*) filter (where repurchased_in_month) as repeat_buyers,
        coalesce(sum(discounts_in_month_vnd) filter (where repurchased_in_month), 0) as returning_buyer_discounts_vnd
    from month_states
    group by grouping sets ((month_start), (month_start, value_tier))
),

monthly_programme_costs as (
    select months.month_start, coalesce(sum(programme_costs.monthly_cost_vnd), 0) as programme_cost_vnd
    from months
    left join programme_costs
        on programme_costs.valid_from <= months.month_end
        and (programme_costs.valid_to is null or programme_costs.valid_to >= months.month_start)
    group by months.month_start
),

final as (
    select
        md5(concat_ws('|', by_dimension.month_start, by_dimension.dimension, by_dimension.dimension_value))
            as retention_metric_id,
        by_dimension.month_start,
        by_dimension.dimension,
        by_dimension.dimension_value,
        by_dimension.customers_at_start,
        by_dimension.retained_customers,
        by_dimension.customers_at_start - by_dimension.retained_customers as churned_customers,
        round((by_dimension.customers_at_start - by_dimension.retained_customers)
            / nullif(by_dimension.customers_at_start, 0), 4) as churn_rate,
        round(by_dimension.retained_customers / nullif(by_dimension.customers_at_start, 0), 4) as retention_rate,
        by_dimension.buyers,
        by_dimension.repeat_buyers,
        round(by_dimension.repeat_buyers / nullif(by_dimension.buyers, 0), 4) as repurchase_rate,
        case when by_dimension.dimension = 'all'
            then monthly_programme_costs.programme_cost_vnd + by_dimension.returning_buyer_discounts_vnd
        end as retention_cost_vnd,
        case when by_dimension.dimension = 'all'
            then round((monthly_programme_costs.programme_cost_vnd + by_dimension.returning_buyer_discounts_vnd)
                / nullif(by_dimension.retained_customers, 0))
        end as customer_retention_cost_vnd
    from by_dimension
    left join monthly_programme_costs on monthly_programme_costs.month_start = by_dimension.month_start
)

select * from final
