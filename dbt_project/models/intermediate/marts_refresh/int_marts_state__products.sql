{#- State for the next incremental marts build: the category each SKU had (an
    order item without a category takes its SKU's most frequent one, so a
    change reaches every buyer of the SKU; see int_marts_state__xref). -#}
-- depends_on: {{ ref('customer_timeline') }}
-- depends_on: {{ ref('orders') }}
-- depends_on: {{ ref('int_customer_lifetime') }}
with products as (
    select * from {{ ref('int_products') }}
),

final as (
    select sku, category, category_group
    from products
)

select * from final
