{#- The version string of a segment family's rules (var segment_rule_versions). -#}
{% macro segment_rule_version(family) -%}
    '{{ var("segment_rule_versions")[family] }}'
{%- endmacro %}

{#- Score 5..1 for a value where lower is better (recency days): at or under the
    i-th ascending cut-off scores 5 - i, above every cut-off scores 1. -#}
{% macro score_lower_is_better(column, cutoffs) -%}
    case
        {%- for cutoff in cutoffs %}
        when {{ column }} <= {{ cutoff }} then {{ 5 - loop.index0 }}
        {%- endfor %}
        else 1
    end
{%- endmacro %}

{#- Score 1..5 for a value where higher is better (frequency, money): at or over
    the i-th ascending cut-off scores i + 2, under the first scores 1. -#}
{% macro score_higher_is_better(column, cutoffs) -%}
    case
        {%- for cutoff in cutoffs | reverse %}
        when {{ column }} >= {{ cutoff }} then {{ 5 - loop.index0 }}
        {%- endfor %}
        else 1
    end
{%- endmacro %}

{#- Days between a timestamp's local date and the as-of date. -#}
{% macro days_before(timestamp_column, as_of_column) -%}
    date_diff('day', cast({{ timestamp_column }} as date), {{ as_of_column }})
{%- endmacro %}
