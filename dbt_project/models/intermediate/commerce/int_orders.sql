{#- One row per order: a POS transaction (store) or a web purchase event (web),
    with its golden customer and its value in VND (seed currency_rates; an
    unknown currency leaves revenue_vnd null).

    Incremental (macros/marts_refresh.sql): a run recomputes the orders in
    int_marts_rebuilt_orders from all their lines / purchase events and
    replaces their rows. -#}
-- depends_on: {{ ref('int_marts_refresh_scope') }}
-- depends_on: {{ ref('int_marts_rebuilt_orders') }}

{{ marts_incremental_config(['order_id']) }}

{#- Read twice (the order figures, the payment method counts); inlined, not
    materialized: a second scan of the table is cheaper than a copy of it. -#}
with pos_transactions as not materialized (
    select * from {{ ref('stg_pos__transactions') }}
    where {{ order_in_refresh('store', 'transaction_id') }}
),

web_events as (
    select * from {{ ref('int_web_events_resolved') }}
    where {{ order_in_refresh('web', 'coalesce(transaction_id, event_id)') }}
),

pos_xref as (
    select * from {{ ref('stg_identity__customer_xrefs') }}
    where source = 'pos'
),

currency_rates as (
    select * from {{ ref('currency_rates') }}
),

store_orders as (
    select
        'store' as channel,
        transaction_id as source_order_id,
        min(store_id) as store_id,
        null::varchar as user_pseudo_id,
        null::varchar as session_id,
        min(transacted_at) as ordered_at,
        sum(quantity) as item_quantity,
        sum(line_amount) as net_amount,
        sum(discount) as discount_amount,
        min(currency) as currency,
        bool_or(promo_code is not null or discount > 0) as used_promo
    from pos_transactions
    where transaction_id is not null
    group by transaction_id
),

{#- A transaction's payment method: the most frequent of its lines (as
    stable_mode), from one count per transaction and method instead of a
    histogram per transaction. -#}
store_payment_methods as (
    select transaction_id, {{ most_frequent('payment_method', 'lines') }} as payment_method
    from (
        select transaction_id, payment_method, count(*) as lines
        from pos_transactions
        where transaction_id is not null and payment_method is not null
        group by transaction_id, payment_method
    ) as transaction_methods
    group by transaction_id
),

web_purchases as (
    select
        'web' as channel,
        coalesce(transaction_id, event_id) as source_order_id,
        null::varchar as store_id,
        user_pseudo_id,
        session_id,
        event_at as ordered_at,
        1 as item_quantity,
        value as net_amount,
        0 as discount_amount,
        currency,
        false as used_promo,
        null::varchar as payment_method,
        golden_id
    from web_events
    where event_name = 'purchase'
    qualify row_number() over (partition by coalesce(transaction_id, event_id) order by event_at, event_id) = 1
),

orders_unioned as (
    select store_orders.*, store_payment_methods.payment_method, pos_xref.golden_id
    from store_orders
    left join store_payment_methods on store_payment_methods.transaction_id = store_orders.source_order_id
    left join pos_xref on pos_xref.source_record_id = store_orders.source_order_id
    union all by name
    select * from web_purchases
),

final as (
    select
        orders_unioned.channel || ':' || orders_unioned.source_order_id as order_id,
        orders_unioned.channel,
        orders_unioned.source_order_id,
        orders_unioned.golden_id,
        orders_unioned.store_id,
        orders_unioned.user_pseudo_id,
        orders_unioned.session_id,
        orders_unioned.ordered_at,
        orders_unioned.item_quantity,
        orders_unioned.currency,
        orders_unioned.net_amount,
        orders_unioned.discount_amount,
        cast(orders_unioned.net_amount * currency_rates.vnd_per_unit as decimal(18, 0)) as revenue_vnd,
        cast(orders_unioned.discount_amount * currency_rates.vnd_per_unit as decimal(18, 0)) as discount_vnd,
        orders_unioned.used_promo,
        orders_unioned.payment_method
    from orders_unioned
    left join currency_rates on currency_rates.currency = orders_unioned.currency
)

{% if is_incremental() %}
select *, false as _cdp_removed from final
union all by name
{{ rebuilt_order_removals() }}
{% else %}
select * from final
{% endif %}
