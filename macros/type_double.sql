{#
    An 8-byte float on every engine. Rates such as "EUR per minute" are computed in it:
    DuckDB divides decimals into a double anyway, while Spark would keep a decimal whose
    scale it cuts to 6 digits, and a truncated rate times many driver units drifts by cents.
    (dbt.type_float() is a 4-byte float on some adapters.)
#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}
