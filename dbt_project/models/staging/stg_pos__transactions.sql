{#- One row per line item. The contract has no line number, so two identical
    line items in one transaction cannot be told from a duplicated row: both
    collapse to one (documented in _staging.yml). -#}

{{ config(
    materialized='incremental',
    incremental_strategy='cdp_replace_keys',
    unique_key=[
        'transaction_id', 'store_id', 'transacted_at', 'customer_name_raw', 'phone_raw',
        'email_raw', 'loyalty_id', 'sku', 'quantity', 'unit_price', 'discount', 'currency',
        'payment_method', 'promo_code'
    ],
    pre_hook="{{ replaced_files_rebuild(['pos__transactions']) }}"
) }}

{#- A customer's name, phone and e-mail repeat on every line item they buy, so
    the standardisation functions run once per distinct raw value (the *_values
    CTEs) and are joined back on that raw value, NULL-safe. `source` is inlined
    (not materialized), so each use reads only the columns it needs. -#}
with source as not materialized (
    select rowid as raw_rowid, *
    from {{ source('raw', 'pos__transactions') }}
    where {{ is_new_delivery() }}
),

typed as (
    select
        raw_rowid,
        {{ clean_text('transaction_id') }} as transaction_id,
        {{ clean_text('store_id') }} as store_id,
        {{ parse_timestamp('transacted_at') }} as transacted_at,
        customer_name,
        {{ clean_text('customer_name') }} as customer_name_raw,
        phone,
        {{ clean_text('phone') }} as phone_raw,
        email as email_source,
        {{ clean_text('email') }} as email_raw,
        {{ clean_text('loyalty_id') }} as loyalty_id,
        {{ clean_text('sku') }} as sku,
        {{ clean_text('product_name') }} as product_name,
        {{ vocabulary('category') }} as category,
        {{ parse_integer('quantity') }} as quantity,
        {{ parse_decimal('unit_price') }} as unit_price,
        coalesce({{ parse_decimal('discount') }}, 0) as discount,
        coalesce(upper({{ clean_text('currency') }}), 'VND') as currency,
        {{ vocabulary('payment_method') }} as payment_method,
        {{ clean_text('promo_code') }} as promo_code,
        _source_file,
        _row_number,
        _loaded_at
    from source
),

{#- Duplicates are judged on the typed values (the key the incremental
    delete matches on), so a re-delivered line whose price is written 150000.00
    instead of 150000 is still one line. The window sorts the key columns and
    the raw row id only; the kept rows are then read in full. -#}
latest_raw_rows as (
    select raw_rowid
    from typed
    qualify row_number() over (
        partition by
            transaction_id, store_id, transacted_at, customer_name_raw, phone_raw, email_raw,
            loyalty_id, sku, quantity, unit_price, discount, currency, payment_method, promo_code
        order by {{ latest_delivery_first() }}
    ) = 1
),

deduplicated as (
    select *
    from typed
    where raw_rowid in (select raw_rowid from latest_raw_rows)
),

customer_name_values as (
    select customer_name, cdp_name(customer_name) as customer_name_parts
    from (select distinct customer_name from source)
),

phone_values as (
    select phone, cdp_phone(phone) as phone_parts
    from (select distinct phone from source)
),

email_values as (
    select
        email as email_source,
        cdp_email(email) as email,
        cdp_email_match_key(email) as email_match_key
    from (select distinct email from source)
),

final as (
    select
        deduplicated.transaction_id,
        deduplicated.store_id,
        deduplicated.transacted_at,
        deduplicated.customer_name_raw,
        {{ name_columns('customer_name_values.customer_name_parts', prefix='customer_') }},
        deduplicated.phone_raw,
        {{ phone_columns('phone_values.phone_parts') }},
        deduplicated.email_raw,
        email_values.email,
        email_values.email_match_key,
        deduplicated.loyalty_id,
        deduplicated.sku,
        deduplicated.product_name,
        deduplicated.category,
        deduplicated.quantity,
        deduplicated.unit_price,
        deduplicated.discount,
        deduplicated.currency,
        deduplicated.quantity * deduplicated.unit_price - deduplicated.discount as line_amount,
        deduplicated.payment_method,
        deduplicated.promo_code,
        deduplicated._source_file,
        deduplicated._row_number,
        deduplicated._loaded_at
    from deduplicated
    left join customer_name_values
        on deduplicated.customer_name is not distinct from customer_name_values.customer_name
    left join phone_values
        on deduplicated.phone is not distinct from phone_values.phone
    left join email_values
        on deduplicated.email_source is not distinct from email_values.email_source
)

select * from final
