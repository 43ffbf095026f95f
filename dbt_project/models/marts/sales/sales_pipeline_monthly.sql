{#- Sales KPIs per month and lead source ('all' = every source). Created
    figures count opportunities by the month they were created, closed figures
    by the month they closed.
      close_rate = won / (won + lost) among opportunities closed in the month
      average_sales_cycle_days = mean(closed_at - created_at) of deals won in the month -#}
with opportunities as (
    select * from {{ ref('int_sales_opportunities_resolved') }}
),

opportunities_by_month as (
    select
        *,
        coalesce(lead_source, 'unknown') as source_label,
        cast(date_trunc('month', created_at) as date) as created_month,
        cast(date_trunc('month', closed_at) as date) as closed_month
    from opportunities
),

created as (
    select
        created_month as month_start,
        case when grouping(source_label) = 1 then 'all' else source_label end as lead_source,
        count(*) as opportunities_created,
        coalesce(sum(amount_vnd), 0) as pipeline_created_vnd
    from opportunities_by_month
    where created_month is not null
    group by grouping sets ((created_month), (created_month, source_label))
),

closed as (
    select
        closed_month as month_start,
        case when grouping(source_label) = 1 then 'all' else source_label end as lead_source,
        count(*) filter (where is_won) as opportunities_won,
        count(*) filter (where not is_won) as opportunities_lost,
        coalesce(sum(amount_vnd) filter (where is_won), 0) as won_amount_vnd,
        avg(sales_cycle_days) filter (where is_won) as average_sales_cycle_days
    from opportunities_by_month
    where closed_month is not null and is_closed
    group by grouping sets ((closed_month), (closed_month, source_label))
),

final as (
    select
        md5(concat_ws('|', coalesce(created.month_start, closed.month_start),
            coalesce(created.lead_source, closed.lead_source))) as sales_metric_id,
        coalesce(created.month_start, closed.month_start) as month_start,
        coalesce(created.lead_source, closed.lead_source) as lead_source,
        coalesce(created.opportunities_created, 0) as opportunities_created,
        coalesce(created.pipeline_created_vnd, 0) as pipeline_created_vnd,
        coalesce(closed.opportunities_won, 0) as opportunities_won,
        coalesce(closed.opportunities_lost, 0) as opportunities_lost,
        round(closed.opportunities_won / nullif(closed.opportunities_won + closed.opportunities_lost, 0), 4)
            as close_rate,
        coalesce(closed.won_amount_vnd, 0) as won_amount_vnd,
        round(closed.average_sales_cycle_days, 1) as average_sales_cycle_days
    from created
    full outer join closed
        on closed.month_start = created.month_start and closed.lead_source = created.lead_source
)

select * from final
