{#- One row per golden customer with every lifetime figure that does not
    depend on the as-of date (int_customer_features adds those). Facts reach a
    golden id through identity.customer_xref (in the int_*_resolved models).

    Incremental (macros/marts_refresh.sql): a run recomputes only the golden
    ids in int_marts_changed_golden_ids; ids that no longer exist are deleted. -#}
-- depends_on: {{ ref('int_marts_refresh_scope') }}
-- depends_on: {{ ref('int_marts_changed_golden_ids') }}

{{ marts_incremental_config(['golden_id']) }}

with golden_customers as (
    select * from {{ ref('stg_identity__golden_customers') }}
    where {{ golden_id_in_refresh() }}
),

xref as (
    select * from {{ ref('stg_identity__customer_xrefs') }}
    where {{ golden_id_in_refresh() }}
),

orders as (
    select * from {{ ref('int_orders') }}
    where {{ golden_id_in_refresh() }}
),

order_items as (
    select * from {{ ref('int_order_items') }}
    where {{ golden_id_in_refresh() }}
),

pos_transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

web_sessions as (
    select * from {{ ref('int_web_sessions') }}
    where {{ golden_id_in_refresh() }}
),

email_events as (
    select * from {{ ref('int_email_events_resolved') }}
    where {{ golden_id_in_refresh() }}
),

email_contacts as (
    select * from {{ ref('stg_email__contacts') }}
),

social_interactions as (
    select * from {{ ref('int_social_interactions_enriched') }}
    where {{ golden_id_in_refresh() }}
),

social_profiles as (
    select * from {{ ref('stg_social__profiles') }}
),

service_cases as (
    select * from {{ ref('int_service_cases_resolved') }}
    where {{ golden_id_in_refresh() }}
),

opportunities as (
    select * from {{ ref('int_sales_opportunities_resolved') }}
    where {{ golden_id_in_refresh() }}
),

sales_contacts as (
    select * from {{ ref('stg_sales__contacts') }}
),

lifecycle_stages as (
    select * from {{ ref('lifecycle_stages') }}
),

order_summary as (
    select
        orders.golden_id,
        count(*) as order_count,
        count(*) filter (where orders.channel = 'store') as store_order_count,
        count(*) filter (where orders.channel = 'web') as web_order_count,
        count(*) filter (where orders.used_promo) as promo_order_count,
        coalesce(sum(orders.revenue_vnd), 0) as total_revenue_vnd,
        coalesce(sum(orders.discount_vnd), 0) as total_discount_vnd,
        min(orders.ordered_at) as first_order_at,
        max(orders.ordered_at) as last_order_at,
        arg_min(orders.channel, {{ key_with_tie_breaker('orders.ordered_at', 'orders.order_id') }}) as first_order_channel
    from orders
    where orders.golden_id is not null
    group by orders.golden_id
),

{#- The most frequent store, the smallest id on a tie (as stable_mode), from
    one count per customer and store: cheaper than a histogram per customer. -#}
store_visits as (
    select golden_id, store_id, count(*) as visits
    from orders
    where golden_id is not null and store_id is not null
    group by golden_id, store_id
),

favourite_stores as (
    select golden_id, {{ most_frequent('store_id', 'visits') }} as favourite_store
    from store_visits
    group by golden_id
),

{#- One row per customer and category (a category has one group): both the
    favourite category (most items, then the smallest name) and the groups
    bought come from it. -#}
category_quantities as (
    select golden_id, category, category_group, sum(quantity) as quantity
    from order_items
    where golden_id is not null
    group by golden_id, category, category_group
),

category_summary as (
    select
        golden_id,
        {{ most_frequent('category', 'quantity') }} as favourite_category,
        -- deduplicated and sorted after the aggregate (list(distinct ... order by)
        -- plans a second aggregate); category_group is never null
        list_sort(list_distinct(list(category_group))) as category_groups_bought
    from category_quantities
    group by golden_id
),

loyalty_members as (
    select distinct xref.golden_id
    from pos_transactions
    inner join xref on xref.source = 'pos' and xref.source_record_id = pos_transactions.transaction_id
    where pos_transactions.loyalty_id is not null
    union
    select distinct golden_id
    from xref
    where source = 'web' and source_record_id like 'user:%'
),

email_summary as (
    select
        golden_id,
        count(*) filter (where event = 'sent') as email_sends,
        count(*) filter (where event = 'delivered') as email_deliveries,
        count(distinct campaign_id) filter (where event = 'open') as email_opens,
        count(distinct campaign_id) filter (where event = 'click') as email_clicks,
        count(distinct campaign_id) filter (where event in ('sent', 'delivered')) as email_campaigns_received,
        count(distinct campaign_id) filter (where event in ('open', 'click')) as email_campaigns_engaged,
        max(occurred_at) filter (where event in ('open', 'click')) as last_email_engagement_at
    from email_events
    where golden_id is not null
    group by golden_id
),

subscriptions as (
    select
        xref.golden_id,
        case min(case email_contacts.status
                when 'subscribed' then 1 when 'unsubscribed' then 2 when 'cleaned' then 3 else 4 end)
            when 1 then 'subscribed' when 2 then 'unsubscribed' when 3 then 'cleaned' else 'unknown'
        end as subscription_status
    from email_contacts
    inner join xref on xref.source = 'email' and xref.source_record_id = email_contacts.email
    group by xref.golden_id
),

web_summary as (
    select
        golden_id,
        count(*) as web_sessions,
        sum(event_count) as web_events,
        max(started_at) as last_web_session_at,
        max(started_at) filter (where item_views > 0) as last_item_view_at
    from web_sessions
    where golden_id is not null
    group by golden_id
),

social_summary as (
    select
        golden_id,
        count(*) as social_interactions,
        count(*) filter (where kind = 'mention') as social_mentions,
        count(*) filter (where sentiment_label = 'positive') as social_positive_interactions,
        count(*) filter (where sentiment_label = 'negative') as social_negative_interactions,
        -- summed as decimals: a sum of doubles depends on the order of its rows,
        -- which would make an incremental and a full build round differently
        round(avg(cast(sentiment_score as decimal(18, 6))), 4) as social_sentiment,
        max(occurred_at) as last_social_at
    from social_interactions
    where golden_id is not null
    group by golden_id
),

social_audience as (
    select xref.golden_id, max(social_profiles.followers) as social_followers
    from social_profiles
    inner join xref on xref.source = 'social' and xref.source_record_id = social_profiles.social_profile_key
    group by xref.golden_id
),

service_summary as (
    select
        golden_id,
        count(*) as service_cases,
        count(*) filter (where not is_closed) as open_service_cases,
        arg_max(csat, {{ key_with_tie_breaker('coalesce(closed_at, opened_at)', 'case_id') }}) filter (where csat is not null) as latest_csat,
        arg_max(nps, {{ key_with_tie_breaker('coalesce(closed_at, opened_at)', 'case_id') }}) filter (where nps is not null) as latest_nps,
        arg_max(ces, {{ key_with_tie_breaker('coalesce(closed_at, opened_at)', 'case_id') }}) filter (where ces is not null) as latest_ces,
        max(opened_at) as last_case_opened_at
    from service_cases
    where golden_id is not null
    group by golden_id
),

sales_summary as (
    select
        golden_id,
        count(*) as opportunities,
        count(*) filter (where not is_closed) as open_opportunities,
        count(*) filter (where is_won) as won_opportunities,
        coalesce(sum(amount_vnd) filter (where is_won), 0) as won_amount_vnd
    from opportunities
    where golden_id is not null
    group by golden_id
),

crm_stages as (
    select xref.golden_id, arg_max(lifecycle_stages.lifecycle_stage, lifecycle_stages.stage_rank) as crm_lifecycle_stage
    from sales_contacts
    inner join xref on xref.source = 'sales' and xref.source_record_id = sales_contacts.contact_id
    inner join lifecycle_stages on lifecycle_stages.lifecycle_stage = sales_contacts.lifecycle_stage
    group by xref.golden_id
),

final as (
    select
        golden_customers.golden_id,
        golden_customers.full_name,
        golden_customers.primary_email,
        golden_customers.primary_phone,
        golden_customers.emails,
        golden_customers.phones,
        golden_customers.birth_date,
        golden_customers.birth_month,
        golden_customers.birth_day,
        golden_customers.gender,
        golden_customers.city,
        golden_customers.sources,
        golden_customers.record_count,
        golden_customers.first_seen_at,
        golden_customers.last_seen_at,
        coalesce(order_summary.order_count, 0) as order_count,
        coalesce(order_summary.store_order_count, 0) as store_order_count,
        coalesce(order_summary.web_order_count, 0) as web_order_count,
        coalesce(order_summary.promo_order_count, 0) as promo_order_count,
        coalesce(order_summary.total_revenue_vnd, 0) as total_revenue_vnd,
        coalesce(order_summary.total_discount_vnd, 0) as total_discount_vnd,
        cast(round(order_summary.total_revenue_vnd / nullif(order_summary.order_count, 0)) as decimal(18, 0))
            as average_order_value_vnd,
        order_summary.first_order_at,
        order_summary.last_order_at,
        order_summary.first_order_channel,
        category_summary.favourite_category,
        favourite_stores.favourite_store,
        -- the most frequent channel (an order's is store or web), the smaller name on a tie
        case
            when order_summary.store_order_count >= order_summary.web_order_count
                and order_summary.store_order_count > 0 then 'store'
            when order_summary.web_order_count > 0 then 'web'
        end as favourite_channel,
        coalesce(category_summary.category_groups_bought, []::varchar[]) as category_groups_bought,
        loyalty_members.golden_id is not null as is_member,
        coalesce(email_summary.email_sends, 0) as email_sends,
        coalesce(email_summary.email_deliveries, 0) as email_deliveries,
        coalesce(email_summary.email_opens, 0) as email_opens,
        coalesce(email_summary.email_clicks, 0) as email_clicks,
        round(email_summary.email_campaigns_engaged / nullif(email_summary.email_campaigns_received, 0), 4)
            as email_engagement,
        email_summary.last_email_engagement_at,
        coalesce(subscriptions.subscription_status, 'not_subscribed') as subscription_status,
        coalesce(web_summary.web_sessions, 0) as web_sessions,
        coalesce(web_summary.web_events, 0) as web_events,
        web_summary.last_web_session_at,
        web_summary.last_item_view_at,
        coalesce(social_summary.social_interactions, 0) as social_interactions,
        coalesce(social_summary.social_mentions, 0) as social_mentions,
        coalesce(social_summary.social_positive_interactions, 0) as social_positive_interactions,
        coalesce(social_summary.social_negative_interactions, 0) as social_negative_interactions,
        social_summary.social_sentiment,
        social_summary.last_social_at,
        social_audience.social_followers,
        coalesce(service_summary.service_cases, 0) as service_cases,
        coalesce(service_summary.open_service_cases, 0) as open_service_cases,
        service_summary.latest_csat,
        service_summary.latest_nps,
        service_summary.latest_ces,
        coalesce(sales_summary.opportunities, 0) as opportunities,
        coalesce(sales_summary.open_opportunities, 0) as open_opportunities,
        coalesce(sales_summary.won_opportunities, 0) as won_opportunities,
        coalesce(sales_summary.won_amount_vnd, 0) as won_amount_vnd,
        crm_stages.crm_lifecycle_stage,
        greatest(
            web_summary.last_web_session_at,
            email_summary.last_email_engagement_at,
            social_summary.last_social_at
        ) as last_engagement_at
    from golden_customers
    left join order_summary on order_summary.golden_id = golden_customers.golden_id
    left join favourite_stores on favourite_stores.golden_id = golden_customers.golden_id
    left join category_summary on category_summary.golden_id = golden_customers.golden_id
    left join loyalty_members on loyalty_members.golden_id = golden_customers.golden_id
    left join email_summary on email_summary.golden_id = golden_customers.golden_id
    left join subscriptions on subscriptions.golden_id = golden_customers.golden_id
    left join web_summary on web_summary.golden_id = golden_customers.golden_id
    left join social_summary on social_summary.golden_id = golden_customers.golden_id
    left join social_audience on social_audience.golden_id = golden_customers.golden_id
    left join service_summary on service_summary.golden_id = golden_customers.golden_id
    left join sales_summary on sales_summary.golden_id = golden_customers.golden_id
    left join crm_stages on crm_stages.golden_id = golden_customers.golden_id
)

{% if is_incremental() %}
select *, false as _cdp_removed from final
union all by name
{{ changed_golden_id_removals() }}
{% else %}
select * from final
{% endif %}
