{#
    On Spark the raw tables are the Parquet files the loader exports, one folder per table
    (partitioned by load), under VALUEMAP_SPARK_DIR/raw. Each run (re)creates the views
    `raw.<table>` over them, so the sources resolve the same way as on DuckDB.
#}
{% macro spark_raw_dir() -%}
    {{ env_var('VALUEMAP_SPARK_DIR', 'data/warehouse_spark') }}/raw
{%- endmacro %}

{% macro create_raw_source_views() %}
    {% if execute and target.type == 'spark' %}
        {% set schemas = [] %}
        {% for source in graph.sources.values() %}
            {% if source.schema not in schemas %}
                {% do run_query('create database if not exists ' ~ source.schema) %}
                {% do schemas.append(source.schema) %}
            {% endif %}
            {% do run_query(
                'create or replace view ' ~ source.schema ~ '.' ~ source.identifier
                ~ ' as select * from parquet.`' ~ spark_raw_dir() ~ '/' ~ source.identifier ~ '`'
            ) %}
        {% endfor %}
    {% endif %}
{% endmacro %}
