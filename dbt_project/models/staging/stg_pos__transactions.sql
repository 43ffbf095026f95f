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

with source as (
    select * from {{ source('raw', 'pos__transactions') }}
    where {{ is_new_delivery() }}
),

typed as (
    select
        {{ clean_text('transaction_id') }} as transaction_id,
        {{ clean_text('store_id') }} as store_id,
        {{ parse_timestamp('transacted_at') }} as transacted_at,
        cdp_name(customer_name) as customer_name_parts,
        {{ clean_text('customer_name') }} as customer_name_raw,
        cdp_phone(phone) as phone_parts,
        {{ clean_text('phone') }} as phone_raw,
        cdp_email(email) as email,
        cdp_email_match_key(email) as email_match_key,
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
    instead of 150000 is still one line. -#}
deduplicated as (
    select *
    from typed
    qualify row_number() over (
        partition by
            transaction_id, store_id, transacted_at, customer_name_raw, phone_raw, email_raw,
            loyalty_id, sku, quantity, unit_price, discount, currency, payment_method, promo_code
        order by {{ latest_delivery_first() }}
    ) = 1
),

final as (
    select
        transaction_id,
        store_id,
        transacted_at,
        customer_name_raw,
        {{ name_columns('customer_name_parts', prefix='customer_') }},
        phone_raw,
        {{ phone_columns('phone_parts') }},
        email_raw,
        email,
        email_match_key,
        loyalty_id,
        sku,
        product_name,
        category,
        quantity,
        unit_price,
        discount,
        currency,
        quantity * unit_price - discount as line_amount,
        payment_method,
        promo_code,
        _source_file,
        _row_number,
        _loaded_at
    from deduplicated
)

select * from final
