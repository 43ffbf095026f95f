{{ config(
    materialized='incremental',
    incremental_strategy='cdp_replace_keys',
    unique_key=['case_id'],
    pre_hook="{{ replaced_files_rebuild(['sales__cases']) }}"
) }}

with source as (
    select * from {{ source('raw', 'sales__cases') }}
    where {{ is_new_delivery() }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by trim(case_id) order by {{ latest_delivery_first() }}
    ) = 1
),

final as (
    select
        {{ clean_text('case_id') }} as case_id,
        {{ clean_text('contact_id') }} as contact_id,
        {{ vocabulary('channel') }} as channel,
        {{ vocabulary('category') }} as category,
        {{ parse_timestamp('opened_at') }} as opened_at,
        {{ parse_timestamp('closed_at') }} as closed_at,
        {{ parse_integer('contacts_to_resolve') }} as contacts_to_resolve,
        {{ parse_integer('csat') }} as csat,
        {{ parse_integer('nps') }} as nps,
        {{ parse_integer('ces') }} as ces,
        _source_file,
        _row_number,
        _loaded_at
    from latest
    where {{ clean_text('case_id') }} is not null
)

select * from final
