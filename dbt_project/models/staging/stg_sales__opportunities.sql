{{ config(
    materialized='incremental',
    incremental_strategy='cdp_replace_keys',
    unique_key=['opportunity_id'],
    pre_hook="{{ replaced_files_rebuild(['sales__opportunities']) }}"
) }}

with source as (
    select * from {{ source('raw', 'sales__opportunities') }}
    where {{ is_new_delivery() }}
),

latest as (
    select *
    from source
    qualify row_number() over (
        partition by trim(opportunity_id) order by {{ latest_delivery_first() }}
    ) = 1
),

final as (
    select
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ clean_text('contact_id') }} as contact_id,
        {{ vocabulary('stage') }} as stage,
        {{ parse_decimal('amount') }} as amount,
        coalesce(upper({{ clean_text('currency') }}), 'VND') as currency,
        {{ parse_timestamp('created_at') }} as created_at,
        {{ parse_timestamp('closed_at') }} as closed_at,
        coalesce({{ parse_boolean('is_won') }}, {{ vocabulary('stage') }} = 'closed_won') as is_won,
        _source_file,
        _row_number,
        _loaded_at
    from latest
    where {{ clean_text('opportunity_id') }} is not null
)

select * from final
