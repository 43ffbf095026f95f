{#- Unpack the structs the cdp_* standardisation functions return into the
    column names every staging model shares (one place for the mapping). -#}

{% macro name_columns(parts, prefix='') -%}
        {{ parts }}.full_name as {{ prefix }}full_name,
        {{ parts }}.name_key as {{ prefix }}name_key,
        {{ parts }}.family_key as {{ prefix }}family_key,
        {{ parts }}.middle_key as {{ prefix }}middle_key,
        {{ parts }}.given_key as {{ prefix }}given_key
{%- endmacro %}

{% macro phone_columns(parts) -%}
        {{ parts }}.e164 as phone_e164,
        {{ parts }}.status as phone_status,
        {{ parts }}.match_key as phone_match_key
{%- endmacro %}

{% macro birth_date_columns(parts) -%}
        {{ parts }}.birth_date as birth_date,
        {{ parts }}.month as birth_month,
        {{ parts }}.day as birth_day
{%- endmacro %}
