{#- Identifiers of people who asked to be forgotten. The table appears with the
    first erasure; before that this model is empty. The comment below makes dbt
    record the dependency even while the table does not exist yet. -#}
-- depends_on: {{ source('sync', 'erasure_tombstones') }}
{%- set tombstones = adapter.get_relation(
    database=target.database, schema='sync', identifier='erasure_tombstones'
) %}

with final as (
    {% if tombstones is not none %}
    select identifier_type, identifier_hash
    from {{ source('sync', 'erasure_tombstones') }}
    {% else %}
    select null::varchar as identifier_type, null::varchar as identifier_hash
    where false
    {% endif %}
)

select * from final
