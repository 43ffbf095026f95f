with customers as (
    select * from {{ ref('int_customer_features') }}
),

generations as (
    select * from {{ ref('generations') }}
),

classified as (
    select
        customers.golden_id,
        coalesce(generations.generation, 'unknown_generation') as segment,
        cast(year(customers.birth_date) as varchar) as segment_detail
    from customers
    left join generations
        on year(customers.birth_date) between generations.born_from_year and generations.born_to_year
),

final as (
    select
        golden_id,
        'generation' as segment_family,
        segment,
        segment_detail,
        {{ segment_rule_version('generation') }} as rule_version
    from classified
)

select * from final
