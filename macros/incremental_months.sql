{#-
    Incremental monthly models (README: "The nightly refresh") rebuild only the months
    whose input rows changed since their last build. Each row they build records the
    newest load the build read (`loaded_through_load_id`); on the next run the months of
    rows with a later `_load_id` are rebuilt: dbt deletes those months and inserts them
    again (strategy delete+insert, unique_key month_start_date).
    A load that replaced rows of an input (a corrected file) may have moved a row out of
    its old month, which no new row tells: the model's pre-hook then empties the table,
    and every month is rebuilt.
    A table built before the model was incremental gains the column and is rebuilt whole
    (on_schema_change append_new_columns).
    On Spark the models are plain tables: dbt-spark's Parquet tables have no delete.
-#}

{% macro incremental_monthly_config() -%}
    {{ return({
        'materialized': 'table' if target.type == 'spark' else 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'month_start_date',
        'on_schema_change': 'append_new_columns',
    }) }}
{%- endmacro %}

{#- The newest load the model has read: 0 for an empty table, or for one built before
    the model was incremental (no such column yet), so that all is rebuilt. -#}
{% macro last_built_load_id() -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if 'loaded_through_load_id' in columns -%}
    (select coalesce(max(loaded_through_load_id), 0) from {{ this }})
    {%- else -%}
    0
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: empty the table when a load since its last build replaced rows of one of
    the input tables (contract paths, e.g. 'orders/orders'). -#}
{% macro empty_if_rows_replaced(table_paths) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where exists (
        select 1
        from {{ source('loader', 'load_log') }}
        where load_id > {{ last_built_load_id() }}
            and rows_replaced > 0
            and table_path in (
                {%- for path in table_paths %}'{{ path }}'{{ ", " if not loop.last }}{% endfor -%}
            )
    )
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- The months of rows loaded since the model's last build, one select per input:
    [its from clause, the date that places a row in a month, the row's load id]. -#}
{% macro months_loaded_since_last_build(inputs) -%}
    {%- set since = last_built_load_id() -%}
    {%- for from_clause, date_column, load_id in inputs %}
    select {{ month_of(date_column) }} as month_start_date
    from {{ from_clause }}
    where {{ load_id }} > {{ since }}
    {%- if not loop.last %}
    union
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- The newest load in the model's inputs (CTEs with a _load_id), kept in every row it
    builds as loaded_through_load_id. -#}
{% macro newest_load_id(inputs) -%}
    select max(_load_id) as loaded_through_load_id
    from (
        {%- for cte in inputs %}
        select _load_id from {{ cte }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as loads
{%- endmacro %}

{% macro month_of(date_column) -%}
    cast({{ dbt.date_trunc('month', date_column) }} as date)
{%- endmacro %}

{#- A filter: the date falls in a month to rebuild (the model's `changed_months` CTE);
    always true on a full build. -#}
{% macro in_changed_months(date_column) -%}
    {%- if is_incremental() -%}
    {{ month_of(date_column) }} in (select month_start_date from changed_months)
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}
