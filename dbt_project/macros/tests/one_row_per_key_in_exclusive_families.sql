{#- Exclusive segment families hold exactly one segment per customer. -#}
{% test one_row_per_key_in_exclusive_families(model) %}
select golden_id, segment_family, count(*) as segments
from {{ model }}
where segment_family in ('purchase_frequency', 'value_tier', 'rfm', 'generation', 'lifecycle_stage')
group by golden_id, segment_family
having count(*) <> 1
{% endtest %}
