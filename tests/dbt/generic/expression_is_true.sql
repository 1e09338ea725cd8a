{#
    Every row satisfies the SQL expression (rows where it is false or null fail).
    Usable on a model or a column (the column is then only documentation).
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce({{ expression }}, false)

{% endtest %}
