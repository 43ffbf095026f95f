{#- Incremental building blocks shared by staging and the identity input.

    A daily drop only adds raw rows stamped with a newer _loaded_at, so a model
    whose every row carries the _loaded_at of the delivery it came from can
    process just the rows newer than the newest one it holds (its watermark).
    Every kept row is "the newest delivery of its key", and a new row is newer
    than anything already kept, so it always replaces the kept row of its key:
    no older raw row has to be read again.

    The one case that breaks this is a landing file changed in place: ingest
    deletes its old rows from raw, and a kept row may then come from rows that
    no longer exist. That is rare (a corrected export), so the model then
    rebuilds itself from scratch (replaced_files_rebuild) rather than guess. -#}

{#- The newest delivery the model already holds; -infinity when empty, so an
    emptied model (see replaced_files_rebuild) reads everything again. -#}
{% macro delivery_watermark() -%}
    (select coalesce(max(_loaded_at), '-infinity'::timestamptz) from {{ this }})
{%- endmacro %}

{#- Row filter: only deliveries newer than the watermark on incremental runs. -#}
{% macro is_new_delivery(loaded_at='_loaded_at') -%}
    {%- if is_incremental() -%}
        {{ loaded_at }} > {{ delivery_watermark() }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- True when a file of one of `entities` (raw table names) was loaded again
    with other content after `watermark_sql`: its previous rows left raw. -#}
{% macro files_replaced_since(entities, watermark_sql) -%}
    exists (
        select 1
        from raw._load_log as reload
        inner join raw._load_log as earlier
            on earlier.file = reload.file
            and earlier.entity = reload.entity
            and earlier.loaded_at < reload.loaded_at
            and earlier.status in ('loaded', 'quarantined_file')
        where reload.entity in ('{{ entities | join("', '") }}')
            and reload.status in ('loaded', 'quarantined_file')
            and reload.loaded_at > {{ watermark_sql }}
    )
{%- endmacro %}

{% macro files_replaced_since_watermark(entities) -%}
    {{ files_replaced_since(entities, delivery_watermark()) }}
{%- endmacro %}

{#- Pre-hook: empty the model when a source file was replaced, so this run
    rebuilds it from every raw row (the watermark falls to -infinity). -#}
{% macro replaced_files_rebuild(entities) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ files_replaced_since_watermark(entities) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Incremental strategy "cdp_replace_keys": replace every key the new batch
    names, NULL-safe (deduplication keys of event tables hold NULLs, which the
    built-in delete+insert never matches). A model that sets
    cdp_removal_flag: true may name keys to delete only: rows of its batch with
    _cdp_removed = true delete their key and are not inserted. -#}
{% macro get_incremental_cdp_replace_keys_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set batch = arg_dict['temp_relation'] -%}
    {%- set keys = arg_dict['unique_key'] -%}
    {%- if keys is string -%}{%- set keys = [keys] -%}{%- endif -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} as kept
    using (select distinct {{ keys | join(', ') }} from {{ batch }}) as batch_keys
    where
        {%- for key in keys %}
        kept.{{ key }} is not distinct from batch_keys.{{ key }}{{ ' and' if not loop.last }}
        {%- endfor %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ batch }}
    {%- if config.get('cdp_removal_flag', false) %}
    where not _cdp_removed
    {%- endif %}
{%- endmacro %}

{#- Row filter of int_person_records_unioned's inputs: on incremental runs,
    only the rows of records in its changed_records CTE. -#}
{% macro changed_only(source_name, record_id) -%}
    {%- if is_incremental() -%}
        {{ record_id }} in (
            select source_record_id from changed_records where source = '{{ source_name }}'
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
