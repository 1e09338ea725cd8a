-- Cost rate of each activity and month (docs/domain.md §1; the rules are in
-- macros/activity_rates.sql). Time-driven when the pool has a practical capacity:
-- rate per driver unit = unit minutes x capacity cost rate. Conventional otherwise:
-- pool cost x pool share / the month's total driver quantity.
-- Rates are doubles on every engine (macros/type_double.sql).
with resource_pools as (
    select * from {{ ref('stg_costs__resource_pools') }}
),

cost_activities as (
    select * from {{ ref('stg_costs__activities') }}
),

driver_quantities as (
    select * from {{ ref('int_driver_quantities__monthly') }}
),

driver_totals as (
    select
        month_start_date,
        driver,
        sum(driver_quantity) as total_driver_quantity
    from driver_quantities
    group by month_start_date, driver
),

activity_months as (
    select
        p.pool_id,
        p.period_start_date as month_start_date,
        p.cost_amount as pool_cost_amount,
        p.practical_capacity_minutes,
        a.cost_activity_id,
        a.driver,
        a.unit_minutes,
        coalesce(a.pool_share, 0) as pool_share,
        p.practical_capacity_minutes is not null as is_time_driven,
        coalesce(t.total_driver_quantity, 0) as total_driver_quantity
    from resource_pools as p
    inner join cost_activities as a on p.pool_id = a.pool_id
    left join driver_totals as t
        on p.period_start_date = t.month_start_date and a.driver = t.driver
),

with_minutes as (
    select
        *,
        case
            when is_time_driven then total_driver_quantity * coalesce(unit_minutes, 0)
            else 0
        end as used_minutes
    from activity_months
),

pool_minutes as (
    select
        pool_id,
        month_start_date,
        sum(used_minutes) as pool_used_minutes
    from with_minutes
    group by pool_id, month_start_date
),

final as (
    select
        m.cost_activity_id,
        m.month_start_date,
        m.pool_id,
        m.driver,
        case when m.is_time_driven then 'time_driven' else 'conventional' end as costing_method,
        m.is_time_driven,
        m.pool_cost_amount,
        m.pool_share,
        m.practical_capacity_minutes,
        m.unit_minutes,
        m.total_driver_quantity,
        m.used_minutes,
        pm.pool_used_minutes,
        case
            when m.is_time_driven
                then {{ capacity_cost_rate_per_minute(
                    'm.pool_cost_amount', 'm.practical_capacity_minutes', 'pm.pool_used_minutes'
                ) }}
        end as capacity_cost_rate_per_minute,
        {{ cost_rate_per_driver_unit(
            'm.driver', 'm.is_time_driven', 'm.unit_minutes', 'm.pool_cost_amount',
            'm.practical_capacity_minutes', 'pm.pool_used_minutes', 'm.pool_share',
            'm.total_driver_quantity'
        ) }} as cost_rate_per_driver_unit
    from with_minutes as m
    inner join pool_minutes as pm
        on m.pool_id = pm.pool_id and m.month_start_date = pm.month_start_date
)

select * from final
