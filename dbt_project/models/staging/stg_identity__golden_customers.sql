with source as (
    select * from {{ source('identity', 'golden_customers') }}
),

final as (
    select
        golden_id,
        full_name,
        primary_email,
        primary_phone,
        emails,
        phones,
        birth_date,
        cast(birth_month as integer) as birth_month,
        cast(birth_day as integer) as birth_day,
        gender,
        city,
        sources,
        first_seen_at,
        last_seen_at,
        record_count
    from source
)

select * from final
