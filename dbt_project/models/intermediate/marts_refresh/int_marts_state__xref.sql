{#- State for the next incremental marts build: the golden id of every person
    record this build's marts were built from. Built after every incremental
    mart (depends_on below), so a failed build keeps the previous state. -#}
-- depends_on: {{ ref('customer_timeline') }}
-- depends_on: {{ ref('orders') }}
-- depends_on: {{ ref('int_customer_lifetime') }}
with xref as (
    select * from {{ ref('stg_identity__customer_xrefs') }}
),

final as (
    select source, source_record_id, golden_id
    from xref
)

select * from final
