{{ config(
    materialized='incremental',
    incremental_strategy='cdp_replace_keys',
    unique_key=['contact_id'],
    pre_hook="{{ replaced_files_rebuild(['sales__contacts']) }}"
) }}

with source as (
    select * from {{ source('raw', 'sales__contacts') }}
    where {{ is_new_delivery() }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by trim(contact_id) order by {{ latest_delivery_first() }}
    ) = 1
),

standardised as (
    select
        {{ clean_text('contact_id') }} as contact_id,
        cdp_name_from_first_last(first_name, last_name) as name_parts,
        {{ clean_text('email') }} as email_raw,
        cdp_email(email) as email,
        cdp_email_match_key(email) as email_match_key,
        {{ clean_text('phone') }} as phone_raw,
        cdp_phone(phone) as phone_parts,
        {{ clean_text('company') }} as company,
        {{ clean_text('job_title') }} as job_title,
        cdp_birth_date_parts(birth_date) as birth_date_parts,
        {{ standardise_gender('gender') }} as gender,
        {{ vocabulary('marital_status') }} as marital_status,
        {{ clean_text('city') }} as city_raw,
        cdp_city(city) as city,
        {{ vocabulary('lifecycle_stage') }} as lifecycle_stage,
        {{ vocabulary('lead_source') }} as lead_source,
        {{ parse_timestamp('created_at') }} as created_at,
        _source_file,
        _row_number,
        _loaded_at
    from latest
    where {{ clean_text('contact_id') }} is not null
),

final as (
    select
        contact_id,
        {{ name_columns('name_parts') }},
        email_raw,
        email,
        email_match_key,
        phone_raw,
        {{ phone_columns('phone_parts') }},
        company,
        job_title,
        {{ birth_date_columns('birth_date_parts') }},
        gender,
        marital_status,
        city_raw,
        city,
        lifecycle_stage,
        lead_source,
        created_at,
        _source_file,
        _row_number,
        _loaded_at
    from standardised
)

select * from final
