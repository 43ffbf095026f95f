{#- The most advanced stage the evidence supports: a purchase or a won deal makes
    a customer, then an open opportunity, then the CRM's own stage, then a
    contactable lead (web account, loyalty card or newsletter), else a visitor. -#}
with customers as (
    select * from {{ ref('int_customer_features') }}
),

classified as (
    select
        golden_id,
        case
            when order_count > 0 or won_opportunities > 0 or crm_lifecycle_stage = 'customer' then 'customer'
            when open_opportunities > 0 or crm_lifecycle_stage = 'opportunity' then 'opportunity'
            when crm_lifecycle_stage is not null then crm_lifecycle_stage
            when is_member or subscription_status = 'subscribed' then 'lead'
            else 'visitor'
        end as segment,
        crm_lifecycle_stage as segment_detail
    from customers
),

final as (
    select
        golden_id,
        'lifecycle_stage' as segment_family,
        segment,
        segment_detail,
        {{ segment_rule_version('lifecycle_stage') }} as rule_version
    from classified
)

select * from final
