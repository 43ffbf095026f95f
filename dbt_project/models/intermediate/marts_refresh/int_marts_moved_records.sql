{#- Person records whose golden id changed since the last marts build (a
    merge, a split, a new record, a record gone because of an erasure): a diff
    of identity.customer_xref against the copy that build kept
    (int_marts_state__xref), with the new and the previous golden id. Empty
    without a previous build (then int_marts_refresh_scope rebuilds
    everything). -#}
-- depends_on: {{ ref('stg_identity__customer_xrefs') }}
{%- set complete = marts_state_complete() %}

{% if complete %}
with previous_xref as (
    select * from {{ marts_previous_state('int_marts_state__xref') }}
),

xref as (
    select source, source_record_id, golden_id from {{ ref('stg_identity__customer_xrefs') }}
),

final as (
    select
        coalesce(xref.source, previous_xref.source) as source,
        coalesce(xref.source_record_id, previous_xref.source_record_id) as source_record_id,
        xref.golden_id,
        previous_xref.golden_id as previous_golden_id
    from xref
    full outer join previous_xref
        on previous_xref.source = xref.source
        and previous_xref.source_record_id = xref.source_record_id
    where xref.golden_id is distinct from previous_xref.golden_id
)
{% else %}
with final as (
    select
        null::varchar as source,
        null::varchar as source_record_id,
        null::varchar as golden_id,
        null::varchar as previous_golden_id
    where false
)
{% endif %}

select * from final
