{#- Every interaction of every golden customer, all channels in one table, to
    read a journey in order. Web activity appears as sessions plus their
    commerce and account events (sign_up, login, add_to_cart, begin_checkout,
    purchase); page views and item views are counted on the session row.

    Incremental (macros/marts_refresh.sql): a run rebuilds every row of the
    golden ids in int_marts_changed_golden_ids, whose event numbers then count
    again from one; ids that no longer exist lose their rows. -#}
-- depends_on: {{ ref('int_marts_refresh_scope') }}
-- depends_on: {{ ref('int_marts_changed_golden_ids') }}

{{ marts_incremental_config(['golden_id']) }}

with orders as (
    select * from {{ ref('int_orders') }}
),

{#- A purchase event's order, matched on the source order id of the web
    orders only (a hash table of those, no order id string per event). -#}
web_orders as (
    select source_order_id, revenue_vnd from orders
    where channel = 'web'
),

web_sessions as (
    select * from {{ ref('int_web_sessions') }}
),

web_events as (
    select * from {{ ref('int_web_events_resolved') }}
),

email_events as (
    select * from {{ ref('int_email_events_resolved') }}
),

social_interactions as (
    select * from {{ ref('int_social_interactions_enriched') }}
),

opportunities as (
    select * from {{ ref('int_sales_opportunities_resolved') }}
),

service_cases as (
    select * from {{ ref('int_service_cases_resolved') }}
),

store_purchases as (
    select
        golden_id, ordered_at as occurred_at, 'store' as channel, 'store_purchase' as touchpoint,
        'pos' as source, source_order_id as source_reference, revenue_vnd as amount_vnd,
        'store ' || store_id || ', ' || item_quantity || ' items' as detail, null::double as sentiment_score
    from orders
    where channel = 'store' and golden_id is not null and {{ golden_id_in_refresh() }}
),

sessions as (
    select
        golden_id, started_at as occurred_at, 'web' as channel, 'web_session' as touchpoint,
        'web' as source, session_id as source_reference, null::decimal(18, 0) as amount_vnd,
        event_count || ' events, ' || page_views || ' page views, ' || item_views || ' item views'
            || coalesce(', utm ' || utm_source || '/' || utm_medium, '') as detail,
        null::double as sentiment_score
    from web_sessions
    where golden_id is not null and {{ golden_id_in_refresh() }}
),

web_key_events as (
    select
        web_events.golden_id, web_events.event_at as occurred_at, 'web' as channel,
        case web_events.event_name when 'purchase' then 'web_purchase' else 'web_' || web_events.event_name end
            as touchpoint,
        'web' as source, web_events.event_id as source_reference,
        case when web_events.event_name = 'purchase' then web_orders.revenue_vnd end as amount_vnd,
        coalesce(web_events.item_sku, web_events.page_location) as detail, null::double as sentiment_score
    from web_events
    left join web_orders
        on web_orders.source_order_id = coalesce(web_events.transaction_id, web_events.event_id)
        and web_events.event_name = 'purchase'
    where web_events.golden_id is not null and {{ golden_id_in_refresh('web_events.golden_id') }}
        and web_events.event_name not in ('page_view', 'view_item')
),

emails as (
    select
        golden_id, occurred_at, 'email' as channel, 'email_' || event as touchpoint,
        'email' as source, email_event_id as source_reference, null::decimal(18, 0) as amount_vnd,
        coalesce(campaign_name, campaign_id) as detail, null::double as sentiment_score
    from email_events
    where golden_id is not null and {{ golden_id_in_refresh() }}
),

social as (
    select
        golden_id, occurred_at, 'social' as channel, 'social_' || kind as touchpoint,
        'social' as source, social_interaction_key as source_reference, null::decimal(18, 0) as amount_vnd,
        platform || coalesce(': ' || text, '') as detail, sentiment_score
    from social_interactions
    where golden_id is not null and {{ golden_id_in_refresh() }}
),

opportunity_events as (
    select
        golden_id, created_at as occurred_at, 'sales' as channel, 'opportunity_created' as touchpoint,
        'sales' as source, opportunity_id as source_reference, amount_vnd,
        stage as detail, null::double as sentiment_score
    from opportunities
    where golden_id is not null and {{ golden_id_in_refresh() }}
    union all
    select
        golden_id, closed_at, 'sales', case when is_won then 'opportunity_won' else 'opportunity_lost' end,
        'sales', opportunity_id, amount_vnd, stage, null::double
    from opportunities
    where golden_id is not null and closed_at is not null and {{ golden_id_in_refresh() }}
),

case_events as (
    select
        golden_id, opened_at as occurred_at, 'service' as channel, 'case_opened' as touchpoint,
        'sales' as source, case_id as source_reference, null::decimal(18, 0) as amount_vnd,
        channel || coalesce(': ' || category, '') as detail, null::double as sentiment_score
    from service_cases
    where golden_id is not null and {{ golden_id_in_refresh() }}
    union all
    select
        golden_id, closed_at, 'service', 'case_closed', 'sales', case_id, null::decimal(18, 0),
        'csat ' || coalesce(cast(csat as varchar), '-') || ', nps ' || coalesce(cast(nps as varchar), '-')
            || ', ces ' || coalesce(cast(ces as varchar), '-'),
        null::double
    from service_cases
    where golden_id is not null and closed_at is not null and {{ golden_id_in_refresh() }}
),

interactions as (
    select * from store_purchases
    union all
    select * from sessions
    union all
    select * from web_key_events
    union all
    select * from emails
    union all
    select * from social
    union all
    select * from opportunity_events
    union all
    select * from case_events
),

final as (
    select
        md5(concat_ws('|', touchpoint, source, source_reference)) as timeline_event_id,
        golden_id,
        occurred_at,
        channel,
        touchpoint,
        source,
        source_reference,
        amount_vnd,
        detail,
        sentiment_score,
        row_number() over (partition by golden_id order by occurred_at, touchpoint, source_reference)
            as customer_event_number
    from interactions
    where occurred_at is not null
)

{% if is_incremental() %}
select *, false as _cdp_removed from final
union all by name
{{ changed_golden_id_removals() }}
{% else %}
select * from final
{% endif %}
