-- The rates of each activity and month of the analysis window after each action scenario
-- (docs/domain.md §10): the driver quantities the action leaves, and the rates they give
-- by the rules of int_activity_rates__monthly (macros/activity_rates.sql). The pools cost
-- what they cost: minutes an action frees in a time-driven pool become unused capacity,
-- and a conventional pool's cost is spread over the driver quantities that remain.
with activity_rates as (
    select * from {{ ref('int_activity_rates__monthly') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

scenarios as (
    select * from {{ ref('action_scenarios') }}
),

cost_to_serve as (
    select * from {{ ref('fct_cost_to_serve') }}
),

driver_factors as (
    select * from {{ ref('int_action_scenario_driver_factors') }}
),

window_rates as (
    select r.*
    from activity_rates as r
    cross join analysis_window as w
    where r.month_start_date between w.start_date and w.end_date
),

-- What the customers an action is for cause more (or less) of each activity.
quantity_changes as (
    select
        f.scenario_code,
        c.cost_activity_id,
        c.month_start_date,
        sum(c.driver_quantity * (f.quantity_factor - 1)) as driver_quantity_change
    from cost_to_serve as c
    inner join driver_factors as f on c.customer_id = f.customer_id and c.driver = f.driver
    cross join analysis_window as w
    where c.month_start_date between w.start_date and w.end_date
    group by f.scenario_code, c.cost_activity_id, c.month_start_date
),

scenario_quantities as (
    select
        s.scenario_code,
        r.*,
        r.total_driver_quantity + coalesce(q.driver_quantity_change, 0)
            as scenario_driver_quantity,
        case
            when r.is_time_driven
                then
                    (r.total_driver_quantity + coalesce(q.driver_quantity_change, 0))
                    * coalesce(r.unit_minutes, 0)
            else 0
        end as scenario_used_minutes
    from window_rates as r
    cross join scenarios as s
    left join quantity_changes as q
        on
            s.scenario_code = q.scenario_code
            and r.cost_activity_id = q.cost_activity_id
            and r.month_start_date = q.month_start_date
),

scenario_pool_minutes as (
    select
        scenario_code,
        pool_id,
        month_start_date,
        sum(scenario_used_minutes) as scenario_pool_used_minutes
    from scenario_quantities
    group by scenario_code, pool_id, month_start_date
),

final as (
    select
        q.scenario_code,
        q.cost_activity_id,
        q.month_start_date,
        q.pool_id,
        q.driver,
        q.costing_method,
        q.is_time_driven,
        q.pool_cost_amount,
        q.pool_share,
        q.practical_capacity_minutes,
        q.unit_minutes,
        q.total_driver_quantity,
        q.pool_used_minutes,
        q.capacity_cost_rate_per_minute,
        q.cost_rate_per_driver_unit,
        q.scenario_driver_quantity,
        q.scenario_used_minutes,
        pm.scenario_pool_used_minutes,
        case
            when q.is_time_driven
                then {{ capacity_cost_rate_per_minute(
                    'q.pool_cost_amount', 'q.practical_capacity_minutes',
                    'pm.scenario_pool_used_minutes'
                ) }}
        end as scenario_capacity_cost_rate_per_minute,
        {{ cost_rate_per_driver_unit(
            'q.driver', 'q.is_time_driven', 'q.unit_minutes', 'q.pool_cost_amount',
            'q.practical_capacity_minutes', 'pm.scenario_pool_used_minutes', 'q.pool_share',
            'q.scenario_driver_quantity'
        ) }} as scenario_cost_rate_per_driver_unit
    from scenario_quantities as q
    inner join scenario_pool_minutes as pm
        on
            q.scenario_code = pm.scenario_code
            and q.pool_id = pm.pool_id
            and q.month_start_date = pm.month_start_date
)

select * from final
