with opportunities as (
    select * from {{ ref('stg_sales__opportunities') }}
),

contacts as (
    select * from {{ ref('stg_sales__contacts') }}
),

sales_xref as (
    select * from {{ ref('stg_identity__customer_xrefs') }}
    where source = 'sales'
),

currency_rates as (
    select * from {{ ref('currency_rates') }}
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.contact_id,
        sales_xref.golden_id,
        contacts.lead_source,
        opportunities.stage,
        opportunities.stage in ('closed_won', 'closed_lost') or opportunities.closed_at is not null as is_closed,
        opportunities.is_won,
        opportunities.created_at,
        opportunities.closed_at,
        date_diff('day', opportunities.created_at, opportunities.closed_at) as sales_cycle_days,
        opportunities.amount,
        opportunities.currency,
        cast(opportunities.amount * currency_rates.vnd_per_unit as decimal(18, 0)) as amount_vnd
    from opportunities
    left join contacts on contacts.contact_id = opportunities.contact_id
    left join sales_xref on sales_xref.source_record_id = opportunities.contact_id
    left join currency_rates on currency_rates.currency = opportunities.currency
)

select * from final
