{{ config(
    materialized='incremental',
    incremental_strategy='cdp_replace_keys',
    unique_key=['platform', 'profile_id'],
    pre_hook="{{ replaced_files_rebuild(['social__profiles']) }}"
) }}

with source as (
    select * from {{ source('raw', 'social__profiles') }}
    where {{ is_new_delivery() }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by {{ vocabulary('platform') }}, trim(profile_id)
        order by {{ latest_delivery_first() }}
    ) = 1
),

standardised as (
    select
        {{ vocabulary('platform') }} as platform,
        {{ clean_text('profile_id') }} as profile_id,
        {{ clean_text('handle') }} as handle,
        {{ clean_text('display_name') }} as display_name_raw,
        cdp_name(display_name) as name_parts,
        {{ clean_text('email') }} as email_raw,
        cdp_email(email) as email,
        cdp_email_match_key(email) as email_match_key,
        {{ clean_text('phone') }} as phone_raw,
        cdp_phone(phone) as phone_parts,
        {{ clean_text('location') }} as location_raw,
        cdp_city(location) as city,
        {{ parse_integer('followers') }} as followers,
        _source_file,
        _row_number,
        _loaded_at
    from latest
    where {{ clean_text('profile_id') }} is not null
),

final as (
    select
        platform || ':' || profile_id as social_profile_key,
        platform,
        profile_id,
        handle,
        display_name_raw,
        {{ name_columns('name_parts') }},
        email_raw,
        email,
        email_match_key,
        phone_raw,
        {{ phone_columns('phone_parts') }},
        location_raw,
        city,
        followers,
        _source_file,
        _row_number,
        _loaded_at
    from standardised
)

select * from final
