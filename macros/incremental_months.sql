{#-
    Incremental monthly models (README: "The nightly refresh") rebuild only the months
    whose input rows changed since their last build. Each row they build records the
    newest load there was when it was built (`loaded_through_load_id`); the next run
    rebuilds the months of input rows with a later `_load_id`: dbt deletes those months
    and inserts them again (strategy delete+insert, unique_key month_start_date).
    A load that replaced rows of a landing table the model reads (a corrected file) may
    have moved a row out of its old month, which no new row tells: the model then starts
    again from an empty table and rebuilds every month (the pre-hook empties it).
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
        'pre_hook': '{{ empty_if_rebuilding_all() }}',
    }) }}
{%- endmacro %}

{#- The load through which the table was built, as a number in the SQL (so the database
    skips older rows by their load id); 0 when every month is to be rebuilt: on a full
    build, for an empty table or one built before the model was incremental, and when a
    load since replaced rows of a landing table upstream of the model. -#}
{% macro last_built_load_id() -%}
    {%- if not (execute and is_incremental()) -%}
        {{- return(0) -}}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if 'loaded_through_load_id' not in columns -%}
        {{- return(0) -}}
    {%- endif -%}
    {%- set built = run_query(
        'select coalesce(max(loaded_through_load_id), 0) from ' ~ this
    ).columns[0].values()[0] | int -%}
    {%- set paths = [] -%}
    {%- for path in upstream_landing_tables(model.unique_id) -%}
        {%- do paths.append("'" ~ path ~ "'") -%}
    {%- endfor -%}
    {%- set replaced = run_query(
        'select count(*) from ' ~ source('loader', 'load_log') ~ ' where load_id > ' ~ built
        ~ ' and rows_replaced > 0 and table_path in (' ~ paths | join(', ') ~ ')'
    ).columns[0].values()[0] | int -%}
    {{- return(0 if replaced else built) -}}
{%- endmacro %}

{#- Pre-hook: an incremental run that rebuilds every month starts from an empty table, so
    that no month whose rows all moved away stays behind. -#}
{% macro empty_if_rebuilding_all() -%}
    {%- if is_incremental() and last_built_load_id() == 0 -%}
    delete from {{ this }}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- The landing tables (contract paths, e.g. 'orders/orders') upstream of a node in the
    dbt graph; the loader's own log is not one. -#}
{% macro upstream_landing_tables(node_id) -%}
    {%- set found = [] -%}
    {%- do _collect_landing_tables(node_id, found, []) -%}
    {{- return(found | sort) -}}
{%- endmacro %}

{% macro _collect_landing_tables(node_id, found, visited) -%}
    {%- if node_id not in visited -%}
        {%- do visited.append(node_id) -%}
        {%- if node_id in graph.sources -%}
            {%- set source = graph.sources[node_id] -%}
            {%- if source.source_name != 'loader' -%}
                {%- do found.append(source.source_name ~ '/' ~ source.name) -%}
            {%- endif -%}
        {%- elif node_id in graph.nodes -%}
            {%- for parent in graph.nodes[node_id].depends_on.nodes -%}
                {%- do _collect_landing_tables(parent, found, visited) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The model's `changed_months` CTE and its comma: the months of rows loaded since its last
    build (months_loaded_since_last_build), plus what a call block adds (a union). Only
    when some months are rebuilt: otherwise in_changed_months does not read it. -#}
{% macro changed_months_cte(inputs) -%}
    {%- if is_incremental() and last_built_load_id() != 0 %}
changed_months as (
    {{- months_loaded_since_last_build(inputs) }}
    {%- if caller is defined %}
    {{ caller() }}
    {%- endif %}
),
    {%- endif %}
{%- endmacro %}

{#- The inputs of the models that count order rows: an order in its month, a line in its
    order's month (months_loaded_since_last_build). -#}
{% macro order_month_inputs() -%}
    {{- return([
        [ref('stg_orders__orders'), 'order_date', '_load_id'],
        [ref('stg_orders__order_lines') ~ ' as l inner join ' ~ ref('stg_orders__orders')
            ~ ' as o on l.order_id = o.order_id', 'o.order_date', 'l._load_id'],
    ]) -}}
{%- endmacro %}

{#- The months of rows loaded since the model's last build, one select per input:
    [its from clause, the date that places a row in a month, the row's load id].
    Inputs name relations (ref), not the model's CTEs: a CTE read twice is materialized
    whole on DuckDB. -#}
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

{#- The newest load there is, kept in every row the model builds as loaded_through_load_id:
    every row of the model's inputs with a load id up to it was there for the build. -#}
{% macro newest_load_id() -%}
    (select coalesce(max(load_id), 0) from {{ source('loader', 'load_log') }})
{%- endmacro %}

{% macro month_of(date_column) -%}
    cast({{ dbt.date_trunc('month', date_column) }} as date)
{%- endmacro %}

{#- A filter: the date falls in a month to rebuild (the model's `changed_months` CTE);
    always true on a full build or when every month is rebuilt. -#}
{% macro in_changed_months(date_column) -%}
    {%- if is_incremental() and last_built_load_id() != 0 -%}
    {{ month_of(date_column) }} in (select month_start_date from changed_months)
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}
