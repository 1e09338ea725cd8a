-- Each customer of the analysis window under each action scenario (docs/domain.md §10):
-- revenue, COGS, cost to serve and net profit before and after the action, as is (the
-- pools cost what they cost). A customer the action is not for keeps its revenue and
-- drivers, but pays the rates that remain: more of a conventional pool whose quantities
-- fell, the same of a time-driven pool (unused capacity is never charged to a customer).
with scenario_customers as (
    select * from {{ ref('int_action_scenario_customers') }}
),

customers as (
    select * from {{ ref('fct_customer_profitability_window') }}
),

cost_to_serve as (
    select * from {{ ref('fct_cost_to_serve') }}
),

scenario_rates as (
    select * from {{ ref('int_action_scenario_activity_rates') }}
),

driver_changes as (
    select * from {{ ref('action_scenario_driver_changes') }}
),

-- Each cost line of the window under each scenario (the scenario rates cover the window's
-- months only, so the join keeps the window), at the rates the action leaves, with its
-- quantity as it is and as the action changes the driver (seed
-- action_scenario_driver_changes) for the customers the action is for.
cost_lines as (
    select
        r.scenario_code,
        c.customer_id,
        r.is_time_driven,
        c.allocated_amount,
        c.driver_quantity * coalesce(r.scenario_cost_rate_per_driver_unit, 0)
            as scenario_allocated_amount,
        c.driver_quantity
        * {{ action_scenario_driver_change('d.quantity_change_pct') }}
        * coalesce(r.scenario_cost_rate_per_driver_unit, 0) as changed_allocated_amount,
        case when r.is_time_driven then c.driver_quantity * c.unit_minutes else 0 end
            as used_minutes,
        case
            when r.is_time_driven
                then
                    c.driver_quantity
                    * {{ action_scenario_driver_change('d.quantity_change_pct') }}
                    * c.unit_minutes
            else 0
        end as changed_used_minutes
    from cost_to_serve as c
    inner join scenario_rates as r
        on c.cost_activity_id = r.cost_activity_id and c.month_start_date = r.month_start_date
    left join driver_changes as d
        on r.scenario_code = d.scenario_code and c.driver = d.driver
),

-- Summed per customer both ways; the customer's volume factor multiplies the changed
-- sums afterwards (as in int_action_scenario_driver_factors: volume x driver change), as
-- joining the customers' factors to every cost line made a hash table larger than
-- DuckDB's 2.5 GB at 1M customers. Before and after come from the same cost lines, each
-- rounded once per customer: the check of rpt_action_scenarios compares them to the
-- cent over millions of customers, which sums of rounded customer-month costs miss.
cost_sums as (
    select
        scenario_code,
        customer_id,
        sum(allocated_amount) as cost_to_serve_before_amount,
        sum(case when is_time_driven then 0 else allocated_amount end)
            as conventional_cost_before_amount,
        sum(used_minutes) as time_driven_minutes_before,
        sum(scenario_allocated_amount) as unchanged_cost_amount,
        sum(case when is_time_driven then 0 else scenario_allocated_amount end)
            as unchanged_conventional_cost_amount,
        sum(changed_allocated_amount) as changed_cost_amount,
        sum(case when is_time_driven then 0 else changed_allocated_amount end)
            as changed_conventional_cost_amount,
        sum(changed_used_minutes) as changed_used_minutes
    from cost_lines
    group by scenario_code, customer_id
),

-- Each scenario's customer with its cost before and after: the volume factor applies to
-- the changed sums of the customers the action is for (no cost line: no cost).
customer_costs as (
    select
        s.*,
        coalesce(k.cost_to_serve_before_amount, 0) as cost_to_serve_before_amount,
        coalesce(k.conventional_cost_before_amount, 0) as conventional_cost_before_amount,
        coalesce(k.time_driven_minutes_before, 0) as time_driven_minutes_before,
        coalesce(
            case
                when s.is_selected then s.volume_factor * k.changed_cost_amount
                else k.unchanged_cost_amount
            end,
            0
        ) as cost_to_serve_after_amount,
        coalesce(
            case
                when s.is_selected then s.volume_factor * k.changed_conventional_cost_amount
                else k.unchanged_conventional_cost_amount
            end,
            0
        ) as conventional_cost_after_amount,
        coalesce(
            case
                when s.is_selected then s.volume_factor * k.changed_used_minutes
                else k.time_driven_minutes_before
            end,
            0
        ) as time_driven_minutes_after
    from scenario_customers as s
    left join cost_sums as k
        on s.scenario_code = k.scenario_code and s.customer_id = k.customer_id
),

final as (
    select
        s.scenario_code,
        s.customer_id,
        c.customer_name,
        s.action_kind,
        s.is_selected,
        s.is_stopped,
        s.loyalty_category,
        s.price_increase_pct,
        s.volume_change_pct,
        cast(s.revenue_before_amount as {{ dbt.type_numeric() }}) as revenue_before_amount,
        cast(s.revenue_after_amount as {{ dbt.type_numeric() }}) as revenue_after_amount,
        cast(s.cogs_before_amount as {{ dbt.type_numeric() }}) as cogs_before_amount,
        cast(s.cogs_after_amount as {{ dbt.type_numeric() }}) as cogs_after_amount,
        cast(s.cost_to_serve_before_amount as {{ dbt.type_numeric() }})
            as cost_to_serve_before_amount,
        cast(s.cost_to_serve_after_amount as {{ dbt.type_numeric() }})
            as cost_to_serve_after_amount,
        cast(s.conventional_cost_before_amount as {{ dbt.type_numeric() }})
            as conventional_cost_before_amount,
        cast(s.conventional_cost_after_amount as {{ dbt.type_numeric() }})
            as conventional_cost_after_amount,
        s.time_driven_minutes_before,
        s.time_driven_minutes_after,
        cast(
            s.revenue_before_amount - s.cogs_before_amount - s.cost_to_serve_before_amount
            as {{ dbt.type_numeric() }}
        ) as net_profit_before_amount,
        cast(
            s.revenue_after_amount - s.cogs_after_amount - s.cost_to_serve_after_amount
            as {{ dbt.type_numeric() }}
        ) as net_profit_after_amount
    from customer_costs as s
    inner join customers as c on s.customer_id = c.customer_id
)

select * from final
