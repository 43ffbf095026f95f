{#- State for the next incremental marts build: the newest delivery of each
    staging table and the fingerprint of the non-fact inputs this build used
    (see int_marts_state__xref). -#}
-- depends_on: {{ ref('customer_timeline') }}
-- depends_on: {{ ref('orders') }}
-- depends_on: {{ ref('int_customer_lifetime') }}
with final as (
    select
        {{ marts_input_fingerprint() }} as input_fingerprint,
        {%- for model in marts_staging_inputs() %}
        (select coalesce(max(_loaded_at), '-infinity'::timestamptz) from {{ ref(model) }}) as {{ model }}{{ ',' if not loop.last }}
        {%- endfor %}
)

select * from final
