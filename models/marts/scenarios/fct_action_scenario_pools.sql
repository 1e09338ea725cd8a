-- Where every euro of each pool goes under each action scenario, over the analysis window
-- (docs/domain.md §10): allocated to customers, unused capacity, or unallocated, in two
-- views. As is: the pool costs what it cost; minutes the action frees become unused
-- capacity. With the capacity reduced: the pool's capacity (and cost) shrinks by the
-- freed minutes at its capacity cost rate, so its unused capacity stays what it was
-- (negative freed minutes, more work, add capacity). Both views add up to their pool
-- cost, to the cent.
with reconciliation as (
    select * from {{ ref('fct_cost_pool_reconciliation') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

scenarios as (
    select * from {{ ref('action_scenarios') }}
),

scenario_rates as (
    select * from {{ ref('int_action_scenario_activity_rates') }}
),

-- What happened, per pool and month of the window.
pool_months as (
    select
        r.pool_id,
        r.month_start_date,
        max(r.costing_method) as costing_method,
        sum(r.pool_cost_amount) as pool_cost_amount,
        sum(r.allocated_amount) as allocated_amount,
        sum(r.unused_capacity_amount) as unused_capacity_amount,
        sum(r.unallocated_amount) as unallocated_amount,
        -- pools without activities, and the part of a pool no activity's share covers
        sum(case when r.line_type = 'unassigned' then r.unallocated_amount else 0 end)
            as unassigned_amount
    from reconciliation as r
    cross join analysis_window as w
    where r.month_start_date between w.start_date and w.end_date
    group by r.pool_id, r.month_start_date
),

-- What the action leaves, per pool and month.
scenario_pool_months as (
    select
        scenario_code,
        pool_id,
        month_start_date,
        max(case when is_time_driven then 1 else 0 end) = 1 as is_time_driven,
        max(practical_capacity_minutes) as practical_capacity_minutes,
        max(pool_used_minutes) as used_minutes,
        max(scenario_pool_used_minutes) as scenario_used_minutes,
        max(pool_used_minutes) - max(scenario_pool_used_minutes) as freed_minutes,
        max(capacity_cost_rate_per_minute) as capacity_cost_rate_per_minute,
        max(scenario_capacity_cost_rate_per_minute) as scenario_capacity_cost_rate_per_minute,
        coalesce(sum(scenario_driver_quantity * scenario_cost_rate_per_driver_unit), 0)
            as allocated_amount,
        -- a conventional activity left without driver quantities charges no one
        sum(
            case
                when not is_time_driven and scenario_cost_rate_per_driver_unit is null
                    then pool_cost_amount * pool_share
                else 0
            end
        ) as unallocated_amount
    from scenario_rates
    group by scenario_code, pool_id, month_start_date
),

scenario_months as (
    select
        s.scenario_code,
        p.pool_id,
        p.month_start_date,
        p.costing_method,
        p.pool_cost_amount,
        p.allocated_amount as allocated_before_amount,
        p.unused_capacity_amount as unused_capacity_before_amount,
        p.unallocated_amount as unallocated_before_amount,
        coalesce(m.is_time_driven, false) as is_time_driven,
        coalesce(m.used_minutes, 0) as used_minutes_before,
        coalesce(m.scenario_used_minutes, 0) as used_minutes_after,
        coalesce(m.freed_minutes, 0) as freed_minutes,
        coalesce(m.allocated_amount, 0) as as_is_allocated_amount,
        case
            when m.is_time_driven and m.practical_capacity_minutes > m.scenario_used_minutes
                then
                    (m.practical_capacity_minutes - m.scenario_used_minutes)
                    * m.scenario_capacity_cost_rate_per_minute
            else 0
        end as as_is_unused_capacity_amount,
        p.unassigned_amount + coalesce(m.unallocated_amount, 0) as unallocated_amount,
        -- with the capacity reduced by the freed minutes the pool keeps its capacity cost
        -- rate, and its unused minutes stay those before the action
        case
            when m.is_time_driven then m.freed_minutes * m.capacity_cost_rate_per_minute
            else 0
        end as freed_capacity_amount,
        case
            when m.is_time_driven then m.scenario_used_minutes * m.capacity_cost_rate_per_minute
            else coalesce(m.allocated_amount, 0)
        end as capacity_reduced_allocated_amount,
        case
            when m.is_time_driven and m.practical_capacity_minutes > m.used_minutes
                then
                    (m.practical_capacity_minutes - m.used_minutes)
                    * m.capacity_cost_rate_per_minute
            else 0
        end as capacity_reduced_unused_capacity_amount
    from pool_months as p
    cross join scenarios as s
    left join scenario_pool_months as m
        on
            s.scenario_code = m.scenario_code
            and p.pool_id = m.pool_id
            and p.month_start_date = m.month_start_date
),

totals as (
    select
        scenario_code,
        pool_id,
        max(costing_method) as costing_method,
        sum(pool_cost_amount) as pool_cost_amount,
        sum(allocated_before_amount) as allocated_before_amount,
        sum(unused_capacity_before_amount) as unused_capacity_before_amount,
        sum(unallocated_before_amount) as unallocated_before_amount,
        sum(used_minutes_before) as used_minutes_before,
        sum(used_minutes_after) as used_minutes_after,
        sum(freed_minutes) as freed_minutes,
        sum(as_is_allocated_amount) as as_is_allocated_amount,
        sum(as_is_unused_capacity_amount) as as_is_unused_capacity_amount,
        sum(unallocated_amount) as unallocated_amount,
        sum(freed_capacity_amount) as freed_capacity_amount,
        sum(capacity_reduced_allocated_amount) as capacity_reduced_allocated_amount,
        sum(capacity_reduced_unused_capacity_amount) as capacity_reduced_unused_capacity_amount
    from scenario_months
    group by scenario_code, pool_id
),

final as (
    select
        scenario_code,
        pool_id,
        costing_method,
        cast(pool_cost_amount as {{ dbt.type_numeric() }}) as pool_cost_amount,
        cast(allocated_before_amount as {{ dbt.type_numeric() }}) as allocated_before_amount,
        cast(unused_capacity_before_amount as {{ dbt.type_numeric() }})
            as unused_capacity_before_amount,
        cast(unallocated_before_amount as {{ dbt.type_numeric() }}) as unallocated_before_amount,
        used_minutes_before,
        used_minutes_after,
        freed_minutes,
        cast(as_is_allocated_amount as {{ dbt.type_numeric() }}) as as_is_allocated_amount,
        cast(as_is_unused_capacity_amount as {{ dbt.type_numeric() }})
            as as_is_unused_capacity_amount,
        cast(unallocated_amount as {{ dbt.type_numeric() }}) as unallocated_after_amount,
        round(
            cast(
                pool_cost_amount - as_is_allocated_amount - as_is_unused_capacity_amount
                - unallocated_amount
                as {{ dbt.type_numeric() }}
            ),
            2
        ) as as_is_difference_amount,
        cast(freed_capacity_amount as {{ dbt.type_numeric() }}) as freed_capacity_amount,
        cast(pool_cost_amount - freed_capacity_amount as {{ dbt.type_numeric() }})
            as capacity_reduced_pool_cost_amount,
        cast(capacity_reduced_allocated_amount as {{ dbt.type_numeric() }})
            as capacity_reduced_allocated_amount,
        cast(capacity_reduced_unused_capacity_amount as {{ dbt.type_numeric() }})
            as capacity_reduced_unused_capacity_amount,
        round(
            cast(
                pool_cost_amount - freed_capacity_amount - capacity_reduced_allocated_amount
                - capacity_reduced_unused_capacity_amount - unallocated_amount
                as {{ dbt.type_numeric() }}
            ),
            2
        ) as capacity_reduced_difference_amount
    from totals
)

select * from final
