{#
    What an action does to one cost driver of a customer it is for (docs/domain.md §10),
    as a factor of its quantity: 1 + the change of seed action_scenario_driver_changes (1
    for a driver the scenario does not list). The customer's volume factor multiplies it
    (int_action_scenario_driver_factors, fct_action_scenarios). The argument is an SQL
    expression.
#}
{% macro action_scenario_driver_change(quantity_change_pct) -%}
    cast(1 + coalesce({{ quantity_change_pct }}, 0) / 100.0 as {{ type_double() }})
{%- endmacro %}
