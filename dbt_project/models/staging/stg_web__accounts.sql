{{ config(
    materialized='incremental',
    incremental_strategy='cdp_replace_keys',
    unique_key=['user_id'],
    pre_hook="{{ replaced_files_rebuild(['web__accounts']) }}"
) }}

with source as (
    select * from {{ source('raw', 'web__accounts') }}
    where {{ is_new_delivery() }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by trim(user_id) order by {{ latest_delivery_first() }}
    ) = 1
),

standardised as (
    select
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('email') }} as email_raw,
        cdp_email(email) as email,
        cdp_email_match_key(email) as email_match_key,
        cdp_name(full_name) as name_parts,
        {{ clean_text('full_name') }} as full_name_raw,
        {{ clean_text('phone') }} as phone_raw,
        cdp_phone(phone) as phone_parts,
        cdp_birth_date_parts(birth_date) as birth_date_parts,
        {{ standardise_gender('gender') }} as gender,
        {{ clean_text('city') }} as city_raw,
        cdp_city(city) as city,
        {{ parse_timestamp('created_at') }} as created_at,
        _source_file,
        _row_number,
        _loaded_at
    from latest
    where {{ clean_text('user_id') }} is not null
),

final as (
    select
        user_id,
        email_raw,
        email,
        email_match_key,
        full_name_raw,
        {{ name_columns('name_parts') }},
        phone_raw,
        {{ phone_columns('phone_parts') }},
        {{ birth_date_columns('birth_date_parts') }},
        gender,
        city_raw,
        city,
        created_at,
        _source_file,
        _row_number,
        _loaded_at
    from standardised
)

select * from final
