{#- Exclusive segment families hold at most one segment per customer (that
    every customer has one is tests/marts/test_marts_graph.py's check).
    Hash-grouped, see unique_combination_of_columns. -#}
{% test one_row_per_key_in_exclusive_families(model) %}
{{ repeated_combinations(
    model,
    ['golden_id', 'segment_family'],
    where="segment_family in ('purchase_frequency', 'value_tier', 'rfm', 'generation', 'lifecycle_stage')"
) }}
{% endtest %}
