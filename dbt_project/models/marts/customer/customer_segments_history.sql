{#- Membership history of marts.customer_segments: a row per stay of a
    customer in a segment (dbt_valid_from / dbt_valid_to), with the columns and
    meaning of the dbt snapshot it replaces (strategy check on rule_version,
    hard_deletes invalidate, same dbt_scd_id formula):

    * a membership without an open row opens one (valid from this run);
    * a membership whose rule_version changed closes its open row and opens a
      new one;
    * an open row whose membership disappeared is closed;
    * segment_detail and as_of_date keep the values of the run that opened the
      row, as in the snapshot.

    Why not a dbt snapshot: the snapshot hashed every membership (14 M at 1 M
    people) and joined the source with the history three times on every run;
    here one join finds the changes and only the changed rows are hashed and
    written. full_refresh=false: history cannot be rebuilt from the current
    memberships, so dbt build --full-refresh leaves it alone, like a snapshot. -#}
{{ config(
    materialized='incremental',
    schema='snapshots',
    incremental_strategy='cdp_replace_keys',
    unique_key=['dbt_scd_id'],
    full_refresh=false
) }}

with memberships as (
    select * from {{ ref('customer_segments') }}
),

run_time as (
    select {{ snapshot_get_time() }} as snapshotted_at
),

{% if is_incremental() %}
open_rows as (
    select * from {{ this }}
    where dbt_valid_to is null
),

{#- One join finds every change and carries both sides' rows, so neither
    table is read again (2x cheaper than joining back on the ids). -#}
changes as materialized (
    select
        memberships.*,
        case when open_rows.segment_membership_id is not null then open_rows end as open_row
    from memberships
    full outer join open_rows on open_rows.segment_membership_id = memberships.segment_membership_id
    where memberships.segment_membership_id is null
        or open_rows.segment_membership_id is null
        or memberships.rule_version is distinct from open_rows.rule_version
),

closed_memberships as (
    select unnest(open_row)
    from changes
    where open_row is not null
),

closed_rows as (
    select closed_memberships.* replace (run_time.snapshotted_at as dbt_valid_to)
    from closed_memberships
    cross join run_time
),

opened_memberships as (
    select * exclude (open_row)
    from changes
    where segment_membership_id is not null
),
{% else %}
opened_memberships as (
    select * from memberships
),
{% endif %}

opened_rows as (
    select
        opened_memberships.segment_membership_id,
        opened_memberships.golden_id,
        opened_memberships.segment_family,
        opened_memberships.segment,
        opened_memberships.rule_version,
        opened_memberships.segment_detail,
        opened_memberships.as_of_date,
        {{ snapshot_hash_arguments(['opened_memberships.segment_membership_id', 'run_time.snapshotted_at']) }}
            as dbt_scd_id,
        run_time.snapshotted_at as dbt_updated_at,
        run_time.snapshotted_at as dbt_valid_from,
        null::timestamp as dbt_valid_to
    from opened_memberships
    cross join run_time
),

final as (
    select * from opened_rows
    {% if is_incremental() %}
    union all by name
    select * from closed_rows
    {% endif %}
)

select * from final
