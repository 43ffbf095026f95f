{#- Incremental marts: the golden-id-keyed marts (customer_timeline, orders,
    int_customer_lifetime) rebuild only the golden customers whose inputs
    changed since the last marts build, the web models keyed on the cookie
    (int_web_events_resolved, int_web_sessions) only the changed cookies.

    The last build's inputs are kept in the int_marts_state__* tables, written
    at the end of every build (they depend on every incremental mart, so a
    failed model or test leaves them at the previous build and the next run
    redoes the work). int_marts_refresh_scope says whether this run must
    rebuild everything, int_marts_changed_golden_ids which golden ids to
    rebuild otherwise. See docs/marts.md ("Incremental marts"). -#}

{#- Staging tables the marts read, with the column that names their delivery
    (_loaded_at): the watermark of each is kept per table. -#}
{% macro marts_staging_inputs() -%}
    {{ return([
        'stg_pos__transactions', 'stg_web__events', 'stg_email__events', 'stg_email__contacts',
        'stg_social__interactions', 'stg_social__profiles', 'stg_sales__contacts',
        'stg_sales__opportunities', 'stg_sales__cases'
    ]) }}
{%- endmacro %}

{#- The state a previous build left, or none before the first build. Read
    without ref(): the state models depend on this run's marts. -#}
{% macro marts_previous_state(name) -%}
    {{ return(adapter.get_relation(database=this.database, schema=this.schema, identifier=name)) }}
{%- endmacro %}

{#- True when every state table of a previous build exists. -#}
{% macro marts_state_complete() -%}
    {%- for name in ['int_marts_state__watermarks', 'int_marts_state__xref', 'int_marts_state__golden', 'int_marts_state__products'] -%}
        {%- if marts_previous_state(name) is none -%}{{ return(false) }}{%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}

{#- Everything outside the facts that a mart row depends on: the seeds, the
    sentiment scorer, the session rule and the version of these rules. A change
    rebuilds every incremental mart. Bump marts_refresh_version when the SQL of
    an incremental mart changes meaning (or run dbt build --full-refresh). -#}
{% macro marts_input_fingerprint() -%}
    md5(concat_ws('|',
        'marts_refresh_version=1',
        'web_session_timeout_minutes={{ var("web_session_timeout_minutes") }}',
        (select string_agg(cast(rates as varchar), ',' order by cast(rates as varchar))
            from {{ ref('currency_rates') }} as rates),
        (select string_agg(cast(groups as varchar), ',' order by cast(groups as varchar))
            from {{ ref('product_category_groups') }} as groups),
        (select string_agg(cast(stages as varchar), ',' order by cast(stages as varchar))
            from {{ ref('lifecycle_stages') }} as stages),
        (select string_agg(distinct scorer_version, ',' order by scorer_version)
            from {{ ref('stg_enrichment__social_sentiments') }})
    ))
{%- endmacro %}

{#- Row filter of an incremental mart: every row on a rebuild, otherwise only
    the rows of golden ids in int_marts_changed_golden_ids. -#}
{% macro golden_id_in_refresh(column='golden_id') -%}
    {%- if is_incremental() -%}
        ((select rebuild_all from {{ ref('int_marts_refresh_scope') }})
            or {{ column }} in (select golden_id from {{ ref('int_marts_changed_golden_ids') }}))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Row filter of the web models keyed on the cookie (int_web_events_resolved,
    int_web_sessions): every row on a rebuild, otherwise only the rows of
    cookies in int_marts_changed_cookies. -#}
{% macro cookie_in_refresh(column='user_pseudo_id') -%}
    {%- if is_incremental() -%}
        ((select rebuild_all from {{ ref('int_marts_refresh_scope') }})
            or {{ column }} in (select user_pseudo_id from {{ ref('int_marts_changed_cookies') }}))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Rows that delete every changed cookie of a model keyed on user_pseudo_id
    (with cdp_removal_flag): the cookie's rows this run computes replace them. -#}
{% macro changed_cookie_removals() -%}
    select user_pseudo_id, true as _cdp_removed
    from {{ ref('int_marts_changed_cookies') }}
{%- endmacro %}

{#- Row filter of the order facts keyed on order_id (int_orders,
    int_order_items): every row on a rebuild, otherwise only the rows of
    orders in int_marts_rebuilt_orders. Given a channel, `column` is the
    source order id of that channel's rows (compared without the channel
    prefix, so a scan of the source does not build a string per row);
    without, `column` is an order_id. -#}
{% macro order_in_refresh(channel=none, column='order_id') -%}
    {%- if is_incremental() -%}
        ((select rebuild_all from {{ ref('int_marts_refresh_scope') }})
            or {{ column }} in (
                {%- if channel %}
                select source_order_id from {{ ref('int_marts_rebuilt_orders') }} where channel = '{{ channel }}'
                {%- else %}
                select order_id from {{ ref('int_marts_rebuilt_orders') }}
                {%- endif %}
            ))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Rows that delete every rebuilt order of a model keyed on order_id (with
    cdp_removal_flag). -#}
{% macro rebuilt_order_removals() -%}
    select order_id, true as _cdp_removed
    from {{ ref('int_marts_rebuilt_orders') }}
{%- endmacro %}

{#- Pre-hook: empty an incremental mart when this run rebuilds everything. -#}
{% macro marts_rebuild_all_hook() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where (select rebuild_all from {{ ref('int_marts_refresh_scope') }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Config of an incremental mart: its batch replaces the rows of every key it
    names (rows flagged _cdp_removed only delete), and it empties itself first
    when this run rebuilds everything. -#}
{% macro marts_incremental_config(unique_key) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='cdp_replace_keys',
        unique_key=unique_key,
        cdp_removal_flag=true,
        pre_hook="{{ marts_rebuild_all_hook() }}"
    ) }}
{%- endmacro %}

{#- Rows that delete every changed golden id of an incremental mart keyed on
    golden_id (with cdp_removal_flag): ids that still exist are inserted again,
    retired ones (merged away, erased) disappear. -#}
{% macro changed_golden_id_removals() -%}
    select golden_id, true as _cdp_removed
    from {{ ref('int_marts_changed_golden_ids') }}
{%- endmacro %}

{#- A hash of a golden customer's survivorship row (DuckDB's 64-bit hash of
    the row: ten times cheaper than an md5 of its text; a DuckDB upgrade that
    changes it only makes one run rebuild every golden id). -#}
{% macro golden_customer_row_hash(relation_alias) -%}
    hash({{ relation_alias }})
{%- endmacro %}
