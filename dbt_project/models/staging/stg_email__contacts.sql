{#- The contact's identity is its normalised address (the contract's
    source_record_id for email), so two spellings of one address are one
    contact: the newest delivery wins. -#}

{{ config(
    materialized='incremental',
    incremental_strategy='cdp_replace_keys',
    unique_key=['email'],
    pre_hook="{{ replaced_files_rebuild(['email__contacts']) }}"
) }}

with source as (
    select * from {{ source('raw', 'email__contacts') }}
    where {{ is_new_delivery() }}
),

keyed as (
    select cdp_email(email) as email, * exclude (email), email as email_raw
    from source
),

latest as (
    select *
    from keyed
    where email is not null
    qualify row_number() over (partition by email order by {{ latest_delivery_first() }}) = 1
),

standardised as (
    select
        email,
        {{ clean_text('email_raw') }} as email_raw,
        cdp_email_match_key(email) as email_match_key,
        cdp_email_is_valid(email) as email_is_valid,
        cdp_name_from_first_last(first_name, last_name) as name_parts,
        {{ clean_text('phone') }} as phone_raw,
        cdp_phone(phone) as phone_parts,
        cdp_birth_date_parts(birthday) as birth_date_parts,
        {{ clean_text('city') }} as city_raw,
        cdp_city(city) as city,
        {{ vocabulary('status') }} as status,
        {{ parse_timestamp('opt_in_at') }} as opt_in_at,
        {{ clean_text('tags') }} as tags,
        _source_file,
        _row_number,
        _loaded_at
    from latest
),

final as (
    select
        email,
        email_raw,
        email_match_key,
        email_is_valid,
        {{ name_columns('name_parts') }},
        phone_raw,
        {{ phone_columns('phone_parts') }},
        {{ birth_date_columns('birth_date_parts') }},
        city_raw,
        city,
        status,
        opt_in_at,
        tags,
        _source_file,
        _row_number,
        _loaded_at
    from standardised
)

select * from final
