{#- Typing rules shared by every staging model: raw values are text and dirty. -#}

{% macro clean_text(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- ISO-8601 with or without offset; no offset means the source time zone,
    which the profile sets as the session time zone. -#}
{% macro parse_timestamp(column) -%}
    try_cast(nullif(trim({{ column }}), '') as timestamptz)
{%- endmacro %}

{% macro parse_decimal(column) -%}
    try_cast(replace(nullif(trim({{ column }}), ''), ',', '') as decimal(18, 2))
{%- endmacro %}

{% macro parse_integer(column) -%}
    try_cast(try_cast(nullif(trim({{ column }}), '') as double) as bigint)
{%- endmacro %}

{% macro parse_boolean(column) -%}
    case lower(trim({{ column }}))
        when 'true' then true when 't' then true when '1' then true when 'yes' then true
        when 'false' then false when 'f' then false when '0' then false when 'no' then false
    end
{%- endmacro %}

{% macro vocabulary(column) -%}
    lower(nullif(trim({{ column }}), ''))
{%- endmacro %}

{#- Keep the newest delivery of each record: later loads win, then later files,
    then later rows (a re-delivered file or an updated export). -#}
{% macro latest_delivery_first() -%}
    _loaded_at desc, _source_file desc, _row_number desc
{%- endmacro %}

{% macro standardise_gender(column) -%}
    case
        when lower(trim({{ column }})) in ('m', 'male', 'nam', 'man', 'anh') then 'male'
        when lower(trim({{ column }})) in ('f', 'female', 'nữ', 'nu', 'woman', 'chị') then 'female'
        when nullif(trim({{ column }}), '') is not null then 'other'
    end
{%- endmacro %}
