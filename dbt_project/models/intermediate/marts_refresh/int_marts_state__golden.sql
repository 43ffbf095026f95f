{#- State for the next incremental marts build: a hash of every golden
    customer's survivorship row this build used (see int_marts_state__xref). -#}
-- depends_on: {{ ref('customer_timeline') }}
-- depends_on: {{ ref('orders') }}
-- depends_on: {{ ref('int_customer_lifetime') }}
with golden_customers as (
    select * from {{ ref('stg_identity__golden_customers') }}
),

final as (
    select golden_id, {{ golden_customer_row_hash('golden_customers') }} as row_hash
    from golden_customers
)

select * from final
