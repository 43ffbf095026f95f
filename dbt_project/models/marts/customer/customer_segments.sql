{#- Contract table: one row per (golden_id, segment_family, segment) with the
    version of the rule that assigned it. Exclusive families (purchase
    frequency, value tier, RFM, generation, lifecycle stage) hold one row per
    customer; marketing audiences and social roles hold zero or more. -#}
with purchase_frequency as (
    select * from {{ ref('int_segments__purchase_frequency') }}
),

value_tier as (
    select * from {{ ref('int_segments__value_tier') }}
),

rfm as (
    select * from {{ ref('int_segments__rfm') }}
),

generation as (
    select * from {{ ref('int_segments__generation') }}
),

lifecycle_stage as (
    select * from {{ ref('int_segments__lifecycle_stage') }}
),

marketing_audiences as (
    select * from {{ ref('int_segments__marketing_audiences') }}
),

social as (
    select * from {{ ref('int_segments__social') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

memberships as (
    select * from purchase_frequency
    union all by name
    select * from value_tier
    union all by name
    select * from rfm
    union all by name
    select * from generation
    union all by name
    select * from lifecycle_stage
    union all by name
    select * from marketing_audiences
    union all by name
    select * from social
),

final as (
    select
        md5(concat_ws('|', memberships.golden_id, memberships.segment_family, memberships.segment))
            as segment_membership_id,
        memberships.golden_id,
        memberships.segment_family,
        memberships.segment,
        memberships.rule_version,
        memberships.segment_detail,
        as_of.as_of_date
    from memberships
    cross join as_of
)

select * from final
