{#- One row per campaign event. Duplicates are judged on the standardised
    values, so a re-sent row whose address carries a provider typo or whose
    timestamp is written with an offset still collapses into one event. -#}

{{ config(
    materialized='incremental',
    incremental_strategy='cdp_replace_keys',
    unique_key=['email', 'campaign_id', 'event', 'occurred_at', 'url'],
    pre_hook="{{ replaced_files_rebuild(['email__events']) }}"
) }}

with source as (
    select * from {{ source('raw', 'email__events') }}
    where {{ is_new_delivery() }}
),

typed as (
    select
        cdp_email(email) as email,
        {{ clean_text('email') }} as email_raw,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('campaign_name') }} as campaign_name,
        {{ vocabulary('event') }} as event,
        {{ parse_timestamp('occurred_at') }} as occurred_at,
        {{ clean_text('url') }} as url,
        _source_file,
        _row_number,
        _loaded_at
    from source
),

final as (
    select *
    from typed
    qualify row_number() over (
        partition by email, campaign_id, event, occurred_at, url
        order by {{ latest_delivery_first() }}
    ) = 1
)

select * from final
