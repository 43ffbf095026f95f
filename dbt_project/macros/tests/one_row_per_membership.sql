{#- The row grain of customer_segments in one pass: no (golden_id,
    segment_family, segment) repeats, and an exclusive family holds at most one
    segment per customer (that every customer has one is
    tests/marts/test_marts_graph.py's check).

    Both rules group on one key, (golden_id, segment_family, segment) with the
    segment left out (null) in the exclusive families: a repeat of the key is
    either two rows of a membership or two segments of one exclusive family.
    Checking them as two tests grouped the 14 M rows (at 1 M people) twice.
    Hash-grouped, see unique_combination_of_columns. -#}
{% test one_row_per_membership(model) %}
{%- set keyed -%}
(
    select
        golden_id,
        segment_family,
        case when segment_family not in ({{ exclusive_segment_families() }}) then segment end as segment
    from {{ model }}
)
{%- endset -%}
{{ repeated_combinations(keyed, ['golden_id', 'segment_family', 'segment']) }}
{% endtest %}

{#- The families that hold exactly one segment per customer. -#}
{% macro exclusive_segment_families() -%}
    'purchase_frequency', 'value_tier', 'rfm', 'generation', 'lifecycle_stage'
{%- endmacro %}
