with source as (
    select * from {{ source('identity', 'customer_xref') }}
),

final as (
    select
        source,
        source_record_id,
        golden_id,
        match_probability
    from source
)

select * from final
