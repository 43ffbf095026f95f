{#- SKUs whose inferred category or category group changed since the last
    marts build (an order item without a category takes its SKU's most
    frequent one, so the change reaches every item and buyer of the SKU).
    Empty without a previous build (then int_marts_refresh_scope rebuilds
    everything). -#}
-- depends_on: {{ ref('int_products') }}
{%- set complete = marts_state_complete() %}

{% if complete %}
with previous_products as (
    select * from {{ marts_previous_state('int_marts_state__products') }}
),

products as (
    select * from {{ ref('int_products') }}
),

final as (
    select coalesce(products.sku, previous_products.sku) as sku
    from products
    full outer join previous_products on previous_products.sku = products.sku
    where products.category is distinct from previous_products.category
        or products.category_group is distinct from previous_products.category_group
)
{% else %}
with final as (
    select null::varchar as sku
    where false
)
{% endif %}

select * from final
