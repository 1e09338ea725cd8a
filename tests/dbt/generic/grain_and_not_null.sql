{#
    The model's grain and its filled columns, in one test and one scan: no two rows share
    the key (nulls count as a value, as in unique_combination_of_columns), and none of the
    not_null columns is null. Each test is a dbt node (35-40 ms of dbt and Dagster
    bookkeeping, about 0.6 s on Spark) and a scan of the table, so the key and the
    not-null counts come from one grouping of the key. It returns a row per duplicated
    key and per column with nulls, which the refresh's failure line shows
    (valuemap/cli.py: failing_rows).
#}
{% test grain_and_not_null(model, key, not_null) %}

with key_groups as (
    select
        {{ key | join(', ') }},
        count(*) as row_count,
        {% for column in not_null -%}
            count(*) - count({{ column }}) as null_rows_{{ loop.index }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from {{ model }}
    group by {{ key | join(', ') }}
),

null_counts as (
    select
        {% for column in not_null -%}
            sum(null_rows_{{ loop.index }}) as null_rows_{{ loop.index }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from key_groups
),

found as (
    select
        'duplicate key' as failure,
        '{{ key | join(", ") }}' as column_name,
        {% for column in key -%}
            coalesce(cast({{ column }} as {{ dbt.type_string() }}), 'null')
            {%- if not loop.last %} || ', ' || {% endif %}
        {% endfor %} as key_value,
        row_count
    from key_groups
    where row_count > 1
    {% for column in not_null %}
        union all
        select
            'null values' as failure,
            '{{ column }}' as column_name,
            null as key_value,
            null_rows_{{ loop.index }} as row_count
        from null_counts
        where null_rows_{{ loop.index }} > 0
    {% endfor %}
)

select * from found

{% endtest %}
