{#
    One row per day, `date_day`, from `start_date` up to the day before `end_date`: SQL
    expressions, which may be subqueries. dbt's own date_spine counts the days in a query
    at compile time, then numbers a cross join of that many rows: on Spark 20 s for the
    time spine, against a single generated array.
#}
{% macro day_spine(start_date, end_date) -%}
    {{ return(adapter.dispatch('day_spine')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__day_spine(start_date, end_date) -%}
    select cast(date_day as date) as date_day
    from ({{ dbt.date_spine('day', start_date, end_date) }}) as spine
{%- endmacro %}

{% macro spark__day_spine(start_date, end_date) -%}
    select explode(sequence(
        cast({{ start_date }} as date),
        date_sub(cast({{ end_date }} as date), 1),
        interval 1 day
    )) as date_day
{%- endmacro %}
