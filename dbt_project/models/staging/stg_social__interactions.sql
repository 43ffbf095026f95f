{{ config(
    materialized='incremental',
    incremental_strategy='cdp_replace_keys',
    unique_key=['platform', 'interaction_id'],
    pre_hook="{{ replaced_files_rebuild(['social__interactions']) }}"
) }}

with source as (
    select * from {{ source('raw', 'social__interactions') }}
    where {{ is_new_delivery() }}
),

deduplicated as (
    select *
    from source
    qualify row_number() over (
        partition by {{ vocabulary('platform') }}, trim(interaction_id)
        order by {{ latest_delivery_first() }}
    ) = 1
),

final as (
    select
        {{ clean_text('interaction_id') }} as interaction_id,
        {{ vocabulary('platform') }} as platform,
        {{ clean_text('profile_id') }} as profile_id,
        {{ vocabulary('platform') }} || ':' || {{ clean_text('profile_id') }} as social_profile_key,
        {{ vocabulary('kind') }} as kind,
        {{ clean_text('text') }} as text,
        {{ parse_timestamp('occurred_at') }} as occurred_at,
        {{ clean_text('in_reply_to') }} as in_reply_to,
        {{ vocabulary('lang') }} as lang,
        _source_file,
        _row_number,
        _loaded_at
    from deduplicated
    where {{ clean_text('interaction_id') }} is not null
)

select * from final
