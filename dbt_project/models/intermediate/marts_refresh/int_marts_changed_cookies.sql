{#- The web cookies whose events and sessions a run rebuilds
    (int_web_events_resolved, int_web_sessions; their records feed
    int_marts_changed_golden_ids): sessions group a cookie's events, and an
    event's golden id comes from its account or cookie record. So every cookie

    * that holds or held a version of a web event delivered since the last
      marts build (int_marts_web_event_versions);
    * of an event whose account or cookie record changed golden id since that
      build (int_marts_moved_records), or whose account a new event version
      names;
    * holding an event of a web order a new event version touched.

    Empty without a previous build (then int_marts_refresh_scope rebuilds
    everything). -#}
-- depends_on: {{ ref('int_marts_moved_records') }}
-- depends_on: {{ ref('stg_web__events') }}
-- depends_on: {{ ref('int_marts_web_event_versions') }}
{%- set complete = marts_state_complete() %}

{% if complete %}
with web_events as (
    select * from {{ ref('stg_web__events') }}
),

web_event_versions as (
    select * from {{ ref('int_marts_web_event_versions') }}
),

moved_web_records as (
    select source_record_id
    from {{ ref('int_marts_moved_records') }}
    where source = 'web'
),

changed_web_records as (
    select source_record_id from moved_web_records
    union
    select 'user:' || user_id from web_event_versions where user_id is not null
),

final as (
    select user_pseudo_id from web_event_versions where user_pseudo_id is not null
    union
    select user_pseudo_id
    from web_events
    where 'user:' || user_id in (select source_record_id from changed_web_records)
        or 'cookie:' || user_pseudo_id in (select source_record_id from changed_web_records)
        or coalesce(transaction_id, event_id) in (select web_order_key from web_event_versions)
)
{% else %}
with final as (
    select null::varchar as user_pseudo_id
    where false
)
{% endif %}

select * from final
