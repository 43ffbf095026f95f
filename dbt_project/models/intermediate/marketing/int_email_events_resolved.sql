with email_events as (
    select * from {{ ref('stg_email__events') }}
),

email_xref as (
    select * from {{ ref('stg_identity__customer_xrefs') }}
    where source = 'email'
),

final as (
    select
        md5(concat_ws('|', email_events.email, email_events.campaign_id, email_events.event,
            email_events.occurred_at, email_events.url)) as email_event_id,
        email_xref.golden_id,
        email_events.email,
        email_events.campaign_id,
        email_events.campaign_name,
        email_events.event,
        email_events.occurred_at,
        email_events.url
    from email_events
    left join email_xref on email_xref.source_record_id = email_events.email
)

select * from final
