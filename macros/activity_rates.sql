{#
    The cost rates of an activity and month (docs/domain.md §1), in one place for the
    costing of what happened (int_activity_rates__monthly) and of what an action would
    change (int_action_scenario_activity_rates). Arguments are SQL expressions.
    Time-driven: capacity cost rate = pool cost / practical capacity minutes; when demand
    exceeds the capacity, the minutes used are the divisor, so customers are never charged
    more than the pool cost. Conventional: the activity's share of the pool cost / the
    month's total driver quantity. Driver `none` is never charged (facility-sustaining).
#}
{% macro capacity_cost_rate_per_minute(pool_cost, capacity_minutes, used_minutes) -%}
    cast({{ pool_cost }} as {{ type_double() }})
    / greatest({{ capacity_minutes }}, {{ used_minutes }})
{%- endmacro %}

{% macro cost_rate_per_driver_unit(
    driver, is_time_driven, unit_minutes, pool_cost, capacity_minutes, used_minutes,
    pool_share, total_driver_quantity
) -%}
    case
        when {{ driver }} = 'none' then null
        when {{ is_time_driven }}
            then
                {{ unit_minutes }} * {{ capacity_cost_rate_per_minute(pool_cost, capacity_minutes, used_minutes) }}
        when {{ total_driver_quantity }} > 0
            then
                cast({{ pool_cost }} as {{ type_double() }}) * {{ pool_share }}
                / {{ total_driver_quantity }}
    end
{%- endmacro %}
