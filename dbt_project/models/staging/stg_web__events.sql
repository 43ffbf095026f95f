{{ config(
    materialized='incremental',
    incremental_strategy='cdp_replace_keys',
    unique_key=['event_id'],
    pre_hook="{{ replaced_files_rebuild(['web__events']) }}"
) }}

{#- The newest delivery of each event is picked on the key and ordering
    columns alone (latest_raw_rows), then only those rows are read in full: a
    window over whole rows moved every text column of millions of rows through
    its sort. `source` is inlined (not materialized), so each use reads only
    the columns it needs. -#}
with source as not materialized (
    select rowid as raw_rowid, *
    from {{ source('raw', 'web__events') }}
    where {{ is_new_delivery() }}
),

latest_raw_rows as (
    select raw_rowid
    from source
    qualify row_number() over (
        partition by trim(event_id) order by {{ latest_delivery_first() }}
    ) = 1
),

deduplicated as (
    select *
    from source
    where raw_rowid in (select raw_rowid from latest_raw_rows)
),

final as (
    select
        {{ clean_text('event_id') }} as event_id,
        {{ parse_timestamp('event_timestamp') }} as event_at,
        {{ vocabulary('event_name') }} as event_name,
        {{ clean_text('user_pseudo_id') }} as user_pseudo_id,
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('page_location') }} as page_location,
        {{ vocabulary('utm_source') }} as utm_source,
        {{ vocabulary('utm_medium') }} as utm_medium,
        {{ clean_text('utm_campaign') }} as utm_campaign,
        {{ vocabulary('device_category') }} as device_category,
        {{ clean_text('item_sku') }} as item_sku,
        {{ parse_decimal('value') }} as value,
        coalesce(upper({{ clean_text('currency') }}), 'VND') as currency,
        {{ clean_text('transaction_id') }} as transaction_id,
        _source_file,
        _row_number,
        _loaded_at
    from deduplicated
    where {{ clean_text('event_id') }} is not null
)

select * from final
