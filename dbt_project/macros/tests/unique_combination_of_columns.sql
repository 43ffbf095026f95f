{#- A row-grain test without a package download: the columns together are unique.

    Grouped first on a 64-bit hash of the columns, several times cheaper than
    grouping on the columns themselves (three strings per row of the 14 M of
    customer_segments at 1 M people). Only rows whose hash repeats are grouped
    again on the columns, so a hash collision cannot fail the test; when no
    hash repeats (a passing test), DuckDB skips that second scan. -#}
{% test unique_combination_of_columns(model, columns) %}
{{ repeated_combinations(model, columns) }}
{% endtest %}

{#- Combinations of `columns` held by more than one row of `relation`, with
    their row count (occurrences); `where` filters the rows first. -#}
{% macro repeated_combinations(relation, columns, where='true') -%}
with repeated_hashes as (
    select hash({{ columns | join(', ') }}) as row_hash
    from {{ relation }}
    where {{ where }}
    group by row_hash
    having count(*) > 1
),

candidates as (
    select {{ columns | join(', ') }}
    from {{ relation }}
    where {{ where }}
        and hash({{ columns | join(', ') }}) in (select row_hash from repeated_hashes)
)

select {{ columns | join(', ') }}, count(*) as occurrences
from candidates
group by {{ columns | join(', ') }}
having count(*) > 1
{%- endmacro %}
