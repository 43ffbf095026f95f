{#- One row per campaign event. Duplicates are judged on the standardised
    values, so a re-sent row whose address carries a provider typo or whose
    timestamp is written with an offset still collapses into one event. -#}

{{ config(
    materialized='incremental',
    incremental_strategy='cdp_replace_keys',
    unique_key=['email', 'campaign_id', 'event', 'occurred_at', 'url'],
    pre_hook="{{ replaced_files_rebuild(['email__events']) }}"
) }}

{#- A contact's address repeats on every event, so cdp_email runs once per
    distinct raw address (email_values) and is joined back on it, NULL-safe.
    `source` is inlined (not materialized), so each use reads only the columns
    it needs. -#}
with source as not materialized (
    select * from {{ source('raw', 'email__events') }}
    where {{ is_new_delivery() }}
),

email_values as (
    select email as email_source, cdp_email(email) as email
    from (select distinct email from source)
),

typed as (
    select
        email_values.email,
        {{ clean_text('source.email') }} as email_raw,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('campaign_name') }} as campaign_name,
        {{ vocabulary('event') }} as event,
        {{ parse_timestamp('occurred_at') }} as occurred_at,
        {{ clean_text('url') }} as url,
        _source_file,
        _row_number,
        _loaded_at
    from source
    left join email_values on source.email is not distinct from email_values.email_source
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
