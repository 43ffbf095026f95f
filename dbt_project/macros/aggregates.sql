{#- The most frequent non-null value of a group, the smallest one on a tie.
    DuckDB's mode() returns any value of a tie, so two builds of the same rows
    (a full one and an incremental one) could disagree. -#}
{% macro stable_mode(column) -%}
    list_sort(list_transform(
        map_entries(histogram({{ column }})),
        lambda entry: {'count_desc': -cast(entry.value as bigint), 'value': entry.key}
    ))[1].value
{%- endmacro %}

{#- Ordering key for arg_min / arg_max that breaks ties on `tie_breaker`
    (arg_min and arg_max return any row of a tie); null, and so ignored like
    the plain key, when `key` is null. -#}
{% macro key_with_tie_breaker(key, tie_breaker) -%}
    case when {{ key }} is not null then struct_pack(key := {{ key }}, tie_breaker := {{ tie_breaker }}) end
{%- endmacro %}

{#- The value with the largest count of a group of (value, count) rows, the
    smallest value on a tie, ignoring null values: stable_mode for counts
    already aggregated (one row per value), so a mode costs a group by and an
    arg_min instead of a histogram per group. A null count sorts last, as
    `order by count desc` does; a null value has a null key, which arg_min
    ignores (cheaper than a filter clause, which DuckDB plans as a separate
    aggregate joined back). -#}
{% macro most_frequent(value, count) -%}
    arg_min({{ value }}, case when {{ value }} is not null
        then struct_pack(count_desc := -{{ count }}, value := {{ value }}) end)
{%- endmacro %}
