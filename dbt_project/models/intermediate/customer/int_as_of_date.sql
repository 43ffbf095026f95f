{#- The reference date of every recency rule and metric: the var cdp_as_of_date
    when set, else the local date of the latest activity in the data, so that
    re-running on the same input gives the same segments. -#}
{%- set as_of = var('cdp_as_of_date') -%}
with pos_transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

email_events as (
    select * from {{ ref('stg_email__events') }}
),

social_interactions as (
    select * from {{ ref('stg_social__interactions') }}
),

latest_activity as (
    select max(transacted_at) as activity_at from pos_transactions
    union all
    select max(event_at) from web_events
    union all
    select max(occurred_at) from email_events
    union all
    select max(occurred_at) from social_interactions
),

final as (
    select
        {% if as_of %}cast('{{ as_of }}' as date){% else %}cast(max(activity_at) as date){% endif %} as as_of_date
    from latest_activity
)

select * from final
