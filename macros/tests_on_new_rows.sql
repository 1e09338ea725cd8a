{#-
    The nightly build tests only rows that no earlier build has tested (README: "The
    nightly refresh"). After a dbt build whose every test passed, the job records the
    newest load it read in raw._tested_loads; the next build's tests of a model with a
    load id column (staging: `_load_id`; incremental models: `loaded_through_load_id`)
    read only the rows of later loads.
    Why that is enough: the loader replaces a row with the same key (the replacing row
    gets the new load id) and never keeps two, so a key unique among the new rows is
    unique in the table; an incremental model rebuilds whole months, whose rows all get
    the new load id, and every unique key of those models includes the month.
    Everything is tested on a full refresh (--full-refresh), on Spark, and until a build
    has passed.
-#}

{#- dbt wraps the model of every generic test in this macro (dbt's own adds the test's
    `where` config); this one also leaves out rows of loads already tested. -#}
{% macro get_where_subquery(relation) -%}
    {%- set filters = [] -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- do filters.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set column = load_id_column(relation) -%}
    {%- if column -%}
        {%- set tested = tested_through_load_id() -%}
        {%- if tested > 0 -%}
            {%- do filters.append(column ~ ' > ' ~ tested) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if filters -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ filters | join(' and ') ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The load id column of the model behind a relation, from its documented columns. -#}
{% macro load_id_column(relation) -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.alias == relation.identifier
                and node.schema == relation.schema -%}
                {%- for column in ['loaded_through_load_id', '_load_id'] -%}
                    {%- if column in node.columns -%}
                        {{- return(column) -}}
                    {%- endif -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}

{#- The newest load whose rows a passing build has tested; 0: test every row. -#}
{% macro tested_through_load_id() -%}
    {%- if not execute or flags.FULL_REFRESH or target.type == 'spark' -%}
        {{- return(0) -}}
    {%- endif -%}
    {%- set log = adapter.get_relation(database=target.database, schema='raw', identifier='_tested_loads') -%}
    {%- if log is none -%}
        {{- return(0) -}}
    {%- endif -%}
    {{- return(run_query('select coalesce(max(tested_through_load_id), 0) from ' ~ log).columns[0].values()[0] | int) -}}
{%- endmacro %}
