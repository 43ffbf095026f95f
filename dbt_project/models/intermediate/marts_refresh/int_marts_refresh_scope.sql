{#- One row: whether this run rebuilds every incremental mart (no previous
    build, a changed seed / sentiment scorer / session rule, or a landing file
    replaced in place since the last build, which may have taken facts away),
    and why. Otherwise int_marts_changed_golden_ids lists what to rebuild. -#}
-- depends_on: {{ ref('currency_rates') }}
-- depends_on: {{ ref('product_category_groups') }}
-- depends_on: {{ ref('lifecycle_stages') }}
-- depends_on: {{ ref('stg_enrichment__social_sentiments') }}
{%- set complete = marts_state_complete() %}
{%- set entities = [
    'pos__transactions', 'web__events', 'email__events', 'email__contacts', 'social__interactions',
    'social__profiles', 'sales__contacts', 'sales__opportunities', 'sales__cases'
] %}

{%- set previous_watermark -%}
    (
        select least(
            {%- for model in marts_staging_inputs() %}
            coalesce({{ model }}, '-infinity'::timestamptz){{ ',' if not loop.last }}
            {%- endfor %}
        )
        from previous
    )
{%- endset %}

{% if complete %}
with previous as (
    select * from {{ marts_previous_state('int_marts_state__watermarks') }}
),

current_inputs as (
    select {{ marts_input_fingerprint() }} as input_fingerprint
),

replaced_files as (
    select {{ files_replaced_since(entities, previous_watermark) }} as any_replaced
),

final as (
    select
        current_inputs.input_fingerprint is distinct from previous.input_fingerprint
            or replaced_files.any_replaced as rebuild_all,
        case
            when current_inputs.input_fingerprint is distinct from previous.input_fingerprint
                then 'seeds, sentiment scorer or session rule changed'
            when replaced_files.any_replaced then 'a landing file was replaced in place'
        end as reason
    from previous
    cross join current_inputs
    cross join replaced_files
)
{% else %}
with final as (
    select true as rebuild_all, 'no previous marts build' as reason
)
{% endif %}

select * from final
