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

{#- One row per campaign and recipient with the events they had, so each
    distinct-recipient count below is a plain filtered count (a count(distinct)
    per filter is a separate aggregate over every event). Rows without an
    email keep the campaign's name and first send; they count no recipient. -#}
campaign_recipients as (
    select
        campaign_id,
        email,
        max(campaign_name) as campaign_name,
        min(occurred_at) filter (where event = 'sent') as first_sent_at,
        bool_or(event = 'sent') as was_sent,
        bool_or(event = 'delivered') as was_delivered,
        bool_or(event = 'bounce') as bounced,
        bool_or(event = 'open') as opened,
        bool_or(event = 'click') as clicked,
        bool_or(event = 'unsubscribe') as unsubscribed,
        bool_or(event = 'complaint') as complained
    from email_events
    where campaign_id is not null
    group by campaign_id, email
),

recipients as (
    select
        campaign_id,
        max(campaign_name) as campaign_name,
        min(first_sent_at) as first_sent_at,
        count(email) filter (where was_sent) as recipients_sent,
        count(email) filter (where was_delivered) as recipients_delivered,
        count(email) filter (where bounced) as recipients_bounced,
        count(email) filter (where opened) as recipients_opened,
        count(email) filter (where clicked) as recipients_clicked,
        count(email) filter (where unsubscribed) as recipients_unsubscribed,
        count(email) filter (where complained) as recipients_complained,
        count(email) filter (
            where was_delivered or opened or clicked or unsubscribed or complained
        ) as recipients_reached,
        count(email) filter (where opened or clicked) as recipients_engaged,
        count(email) filter (where was_sent or bounced) as recipients_attempted
    from campaign_recipients
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
