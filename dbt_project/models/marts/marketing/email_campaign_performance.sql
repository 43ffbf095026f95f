{#- One row per email campaign. Rates count distinct recipients:
      open_rate = recipients who opened / recipients delivered
      click_rate = recipients who clicked / recipients delivered
      click_to_open_rate = recipients who clicked / recipients who opened
      unsubscribe_rate = recipients who unsubscribed / recipients delivered
      bounce_rate = recipients bounced / recipients sent
    An open, click, unsubscribe or complaint proves delivery, and a click
    proves an open, so those recipients count in the denominators even when
    their delivered/open event is missing from the export (or arrived in a
    file not loaded yet): every rate stays within 0..1. Delivered falls back to
    sent minus bounced when the platform reports no delivered events. -#}
with email_events as (
    select * from {{ ref('int_email_events_resolved') }}
),

recipients as (
    select
        campaign_id,
        max(campaign_name) as campaign_name,
        min(occurred_at) filter (where event = 'sent') as first_sent_at,
        count(distinct email) filter (where event = 'sent') as recipients_sent,
        count(distinct email) filter (where event = 'delivered') as recipients_delivered,
        count(distinct email) filter (where event = 'bounce') as recipients_bounced,
        count(distinct email) filter (where event = 'open') as recipients_opened,
        count(distinct email) filter (where event = 'click') as recipients_clicked,
        count(distinct email) filter (where event = 'unsubscribe') as recipients_unsubscribed,
        count(distinct email) filter (where event = 'complaint') as recipients_complained,
        count(distinct email) filter (
            where event in ('delivered', 'open', 'click', 'unsubscribe', 'complaint')
        ) as recipients_reached,
        count(distinct email) filter (where event in ('open', 'click')) as recipients_engaged,
        count(distinct email) filter (where event in ('sent', 'bounce')) as recipients_attempted
    from email_events
    where campaign_id is not null
    group by campaign_id
),

with_delivered as (
    select
        *,
        case when recipients_delivered > 0 then recipients_reached
            else greatest(recipients_sent - recipients_bounced, recipients_reached)
        end as delivered_base
    from recipients
),

final as (
    select
        campaign_id,
        campaign_name,
        first_sent_at,
        cast(date_trunc('month', first_sent_at) as date) as month_start,
        recipients_sent,
        recipients_delivered,
        recipients_bounced,
        recipients_opened,
        recipients_clicked,
        recipients_unsubscribed,
        recipients_complained,
        round(recipients_opened / nullif(delivered_base, 0), 4) as open_rate,
        round(recipients_clicked / nullif(delivered_base, 0), 4) as click_rate,
        round(recipients_clicked / nullif(recipients_engaged, 0), 4) as click_to_open_rate,
        round(recipients_unsubscribed / nullif(delivered_base, 0), 4) as unsubscribe_rate,
        round(recipients_bounced / nullif(recipients_attempted, 0), 4) as bounce_rate
    from with_delivered
)

select * from final
