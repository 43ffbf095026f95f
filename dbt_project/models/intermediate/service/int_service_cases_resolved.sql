with cases as (
    select * from {{ ref('stg_sales__cases') }}
),

sales_xref as (
    select * from {{ ref('stg_identity__customer_xrefs') }}
    where source = 'sales'
),

final as (
    select
        cases.case_id,
        cases.contact_id,
        sales_xref.golden_id,
        cases.channel,
        cases.category,
        cases.opened_at,
        cases.closed_at,
        cases.closed_at is not null as is_closed,
        date_diff('hour', cases.opened_at, cases.closed_at) / 24.0 as resolution_days,
        cases.contacts_to_resolve,
        case when cases.closed_at is not null and cases.contacts_to_resolve is not null
            then cases.contacts_to_resolve = 1 end as is_first_contact_resolution,
        case when cases.csat between 1 and 5 then cases.csat end as csat,
        case when cases.nps between 0 and 10 then cases.nps end as nps,
        case when cases.ces between 1 and 7 then cases.ces end as ces
    from cases
    left join sales_xref on sales_xref.source_record_id = cases.contact_id
)

select * from final
