{#
    How much of a driver a customer an action is for still causes (docs/domain.md §10),
    in one place for the two models that apply it: its volume factor (0 when no longer
    served, 1 + v after a price rise with volume change v, 1 for a channel move) times
    1 + the change of that driver in seed action_scenario_driver_changes (0 when the
    scenario does not list the driver). Arguments are SQL expressions.
#}
{% macro action_scenario_quantity_factor(volume_factor, quantity_change_pct) -%}
    cast(
        ({{ volume_factor }}) * (1 + coalesce({{ quantity_change_pct }}, 0) / 100.0)
        as {{ type_double() }}
    )
{%- endmacro %}
