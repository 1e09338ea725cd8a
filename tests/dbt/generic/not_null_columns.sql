{#
    None of the columns is null. One test per model, not one per column: each column
    test was its own dbt node (35-40 ms of dbt and Dagster bookkeeping each, 156 of
    them) and its own scan of the table; this counts the nulls of every column in one
    scan. It returns one row per column that has nulls, which the refresh's failure line
    names (valuemap/cli.py: _dbt_failure).
#}
{% test not_null_columns(model, columns) %}

with null_counts as (
    select
        {% for column in columns -%}
            count(*) - count({{ column }}) as null_rows_{{ loop.index }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from {{ model }}
),

found as (
    {% for column in columns -%}
        select
            '{{ column }}' as column_name,
            null_rows_{{ loop.index }} as null_rows
        from null_counts
        where null_rows_{{ loop.index }} > 0
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from found

{% endtest %}
