{#
    The combination of columns is unique (the grain of a model). Nulls count as a value,
    so a grain with an optional part (e.g. the activity of a reconciliation line) is
    still checked.
#}
{% test unique_combination_of_columns(model, combination) %}

with grain as (
    select
        {% for column in combination -%}
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '<null>') as {{ column }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ model }}
)

select
    {{ combination | join(', ') }},
    count(*) as row_count
from grain
group by {{ combination | join(', ') }}
having count(*) > 1

{% endtest %}
