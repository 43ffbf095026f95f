{#- One row per SKU seen at the till, with the category it is most often sold
    under (some files omit the optional category column) and the category group
    of the seed product_category_groups. -#}
with pos_transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

category_groups as (
    select * from {{ ref('product_category_groups') }}
),

skus as (
    select
        sku,
        {{ stable_mode('product_name') }} as product_name,
        {{ stable_mode('category') }} as category
    from pos_transactions
    where sku is not null
    group by sku
),

final as (
    select
        skus.sku,
        skus.product_name,
        skus.category,
        coalesce(category_groups.category_group, 'other') as category_group
    from skus
    left join category_groups on category_groups.category = skus.category
)

select * from final
