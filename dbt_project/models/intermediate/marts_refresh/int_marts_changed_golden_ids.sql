{#- The golden ids whose rows an incremental mart rebuilds this run: both the
    old and the new golden id of

    * every person record whose golden id changed since the last marts build
      (merges, splits, new and erased records), and every golden customer whose
      survivorship row changed;
    * every person record a delivery newer than the last build touched: the
      record a new fact hangs off, and for facts replaced by key (web events,
      social interactions, opportunities, cases) the record of each of their
      versions in raw, so a fact that moved also leaves its former owner;
    * every record of a web cookie one of the above touches: sessions (and so
      timeline rows, carts and web orders) group a cookie's events, whoever
      they belong to;
    * every buyer of a SKU whose inferred category changed.

    Old golden ids come from the state of the last build (int_marts_state__*),
    new ones from identity.customer_xref. Empty when the state is missing: then
    int_marts_refresh_scope rebuilds everything. -#}
-- depends_on: {{ ref('stg_identity__customer_xrefs') }}
-- depends_on: {{ ref('stg_identity__golden_customers') }}
-- depends_on: {{ ref('int_marts_moved_records') }}
-- depends_on: {{ ref('int_marts_changed_skus') }}
-- depends_on: {{ ref('int_order_items') }}
-- depends_on: {{ ref('stg_pos__transactions') }}
-- depends_on: {{ ref('stg_web__events') }}
-- depends_on: {{ ref('stg_email__events') }}
-- depends_on: {{ ref('stg_email__contacts') }}
-- depends_on: {{ ref('stg_social__interactions') }}
-- depends_on: {{ ref('stg_social__profiles') }}
-- depends_on: {{ ref('stg_sales__contacts') }}
-- depends_on: {{ ref('stg_sales__opportunities') }}
-- depends_on: {{ ref('stg_sales__cases') }}
-- depends_on: {{ ref('int_marts_web_event_versions') }}
-- depends_on: {{ ref('int_marts_changed_cookies') }}
-- depends_on: {{ source('raw', 'social__interactions') }}
-- depends_on: {{ source('raw', 'sales__opportunities') }}
-- depends_on: {{ source('raw', 'sales__cases') }}
-- depends_on: {{ ref('int_marts_refresh_scope') }}
{%- set complete = marts_state_complete() %}

{% if complete %}
with watermarks as (
    select * from {{ marts_previous_state('int_marts_state__watermarks') }}
),

previous_xref as (
    select * from {{ marts_previous_state('int_marts_state__xref') }}
),

previous_golden as (
    select * from {{ marts_previous_state('int_marts_state__golden') }}
),

xref as (
    select source, source_record_id, golden_id from {{ ref('stg_identity__customer_xrefs') }}
),

golden_customers as (
    select * from {{ ref('stg_identity__golden_customers') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

{#- Identity: records whose golden id changed, golden rows that changed. -#}
moved_records as (
    select * from {{ ref('int_marts_moved_records') }}
),

changed_golden_rows as (
    select coalesce(current_golden.golden_id, previous_golden.golden_id) as golden_id
    from (
        select golden_id, {{ golden_customer_row_hash('golden_customers') }} as row_hash
        from golden_customers
    ) as current_golden
    full outer join previous_golden on previous_golden.golden_id = current_golden.golden_id
    where current_golden.row_hash is distinct from previous_golden.row_hash
),

{#- Deliveries since the last build, with every raw version of a fact
    replaced by key. -#}
web_event_versions as (
    select * from {{ ref('int_marts_web_event_versions') }}
),

new_social_keys as (
    select platform, interaction_id
    from {{ ref('stg_social__interactions') }}
    where _loaded_at > (select stg_social__interactions from watermarks)
),

social_interaction_versions as (
    select {{ vocabulary('platform') }} || ':' || {{ clean_text('profile_id') }} as social_profile_key
    from {{ source('raw', 'social__interactions') }} as interactions
    where ({{ vocabulary('platform') }}, {{ clean_text('interaction_id') }}) in (
        select (platform, interaction_id) from new_social_keys
    )
),

new_opportunity_ids as (
    select opportunity_id
    from {{ ref('stg_sales__opportunities') }}
    where _loaded_at > (select stg_sales__opportunities from watermarks)
),

new_case_ids as (
    select case_id
    from {{ ref('stg_sales__cases') }}
    where _loaded_at > (select stg_sales__cases from watermarks)
),

delivered_records as (
    select 'pos' as source, transaction_id as source_record_id
    from {{ ref('stg_pos__transactions') }}
    where _loaded_at > (select stg_pos__transactions from watermarks) and transaction_id is not null
    union
    select 'email', email
    from {{ ref('stg_email__events') }}
    where _loaded_at > (select stg_email__events from watermarks) and email is not null
    union
    select 'email', email
    from {{ ref('stg_email__contacts') }}
    where _loaded_at > (select stg_email__contacts from watermarks)
    union
    select 'social', social_profile_key
    from social_interaction_versions
    union
    select 'social', social_profile_key
    from {{ ref('stg_social__profiles') }}
    where _loaded_at > (select stg_social__profiles from watermarks)
    union
    select 'sales', contact_id
    from {{ ref('stg_sales__contacts') }}
    where _loaded_at > (select stg_sales__contacts from watermarks)
    union
    select 'sales', {{ clean_text('contact_id') }}
    from {{ source('raw', 'sales__opportunities') }}
    where {{ clean_text('opportunity_id') }} in (select opportunity_id from new_opportunity_ids)
    union
    select 'sales', {{ clean_text('contact_id') }}
    from {{ source('raw', 'sales__cases') }}
    where {{ clean_text('case_id') }} in (select case_id from new_case_ids)
    union
    select 'web', 'user:' || user_id from web_event_versions where user_id is not null
),

{#- Web: every record of the events of the cookies a run rebuilds. -#}
affected_cookies as (
    select user_pseudo_id from {{ ref('int_marts_changed_cookies') }}
),

cookie_records as (
    select 'web' as source, 'cookie:' || user_pseudo_id as source_record_id
    from affected_cookies
    union
    select 'web', 'user:' || user_id
    from web_events
    where user_id is not null and user_pseudo_id in (select user_pseudo_id from affected_cookies)
),

touched_records as (
    select source, source_record_id from delivered_records
    union
    select source, source_record_id from cookie_records
),

changed_skus as (
    select sku from {{ ref('int_marts_changed_skus') }}
),

golden_ids as (
    select golden_id from moved_records
    union
    select previous_golden_id from moved_records
    union
    select golden_id from changed_golden_rows
    union
    select xref.golden_id
    from xref
    semi join touched_records
        on touched_records.source = xref.source and touched_records.source_record_id = xref.source_record_id
    union
    select previous_xref.golden_id
    from previous_xref
    semi join touched_records
        on touched_records.source = previous_xref.source
        and touched_records.source_record_id = previous_xref.source_record_id
    union
    select golden_id
    from {{ ref('int_order_items') }}
    where sku in (select sku from changed_skus)
),

final as (
    select golden_id
    from golden_ids
    where golden_id is not null
)
{% else %}
with final as (
    select null::varchar as golden_id
    where false
)
{% endif %}

select * from final
