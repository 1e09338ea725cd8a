-- Where every euro of each pool went, per month: allocated to customers, unused
-- capacity (time-driven pools), or unallocated (facility-sustaining activities,
-- activities without driver volume, pool shares that do not add up to 1, pools
-- without activities). Lines of a pool-month add up to its ledger cost.
with resource_pools as (
    select * from {{ ref('stg_costs__resource_pools') }}
),

activity_rates as (
    select * from {{ ref('int_activity_rates__monthly') }}
),

cost_to_serve as (
    select * from {{ ref('fct_cost_to_serve') }}
),

allocated as (
    select
        cost_activity_id,
        month_start_date,
        sum(allocated_amount) as allocated_amount
    from cost_to_serve
    group by cost_activity_id, month_start_date
),

activity_lines as (
    select
        r.pool_id,
        r.month_start_date,
        'activity' as line_type,
        r.cost_activity_id,
        r.costing_method,
        case
            when r.is_time_driven then r.used_minutes * r.capacity_cost_rate_per_minute
            else r.pool_cost_amount * r.pool_share
        end as pool_cost_amount,
        coalesce(a.allocated_amount, 0) as allocated_amount,
        0 as unused_capacity_amount,
        case
            when not r.is_time_driven and r.cost_rate_per_driver_unit is null
                then r.pool_cost_amount * r.pool_share
            else 0
        end as unallocated_amount
    from activity_rates as r
    left join allocated as a
        on r.cost_activity_id = a.cost_activity_id and r.month_start_date = a.month_start_date
),

pool_months as (
    select
        pool_id,
        month_start_date,
        max(pool_cost_amount) as pool_cost_amount,
        max(practical_capacity_minutes) as practical_capacity_minutes,
        max(pool_used_minutes) as pool_used_minutes,
        max(capacity_cost_rate_per_minute) as capacity_cost_rate_per_minute,
        sum(pool_share) as pool_share,
        max(case when is_time_driven then 1 else 0 end) = 1 as is_time_driven
    from activity_rates
    group by pool_id, month_start_date
),

unused_capacity_lines as (
    select
        pool_id,
        month_start_date,
        'unused_capacity' as line_type,
        cast(null as {{ dbt.type_string() }}) as cost_activity_id,
        'time_driven' as costing_method,
        (practical_capacity_minutes - pool_used_minutes) * capacity_cost_rate_per_minute
            as pool_cost_amount,
        0 as allocated_amount,
        (practical_capacity_minutes - pool_used_minutes) * capacity_cost_rate_per_minute
            as unused_capacity_amount,
        0 as unallocated_amount
    from pool_months
    where is_time_driven and practical_capacity_minutes > pool_used_minutes
),

-- The part of a conventional pool no activity's share covers.
unassigned_share_lines as (
    select
        pool_id,
        month_start_date,
        'unassigned' as line_type,
        cast(null as {{ dbt.type_string() }}) as cost_activity_id,
        'conventional' as costing_method,
        pool_cost_amount * (1 - pool_share) as pool_cost_amount,
        0 as allocated_amount,
        0 as unused_capacity_amount,
        pool_cost_amount * (1 - pool_share) as unallocated_amount
    from pool_months
    where not is_time_driven and pool_share <> 1
),

-- Pools with no activity at all stay unallocated as a whole.
pools_without_activities as (
    select
        p.pool_id,
        p.period_start_date as month_start_date,
        'unassigned' as line_type,
        cast(null as {{ dbt.type_string() }}) as cost_activity_id,
        case
            when p.practical_capacity_minutes is null then 'conventional' else 'time_driven'
        end as costing_method,
        p.cost_amount as pool_cost_amount,
        0 as allocated_amount,
        0 as unused_capacity_amount,
        p.cost_amount as unallocated_amount
    from resource_pools as p
    left join pool_months as m
        on p.pool_id = m.pool_id and p.period_start_date = m.month_start_date
    where m.pool_id is null
),

lines as (
    select * from activity_lines
    union all
    select * from unused_capacity_lines
    union all
    select * from unassigned_share_lines
    union all
    select * from pools_without_activities
),

final as (
    select
        pool_id,
        month_start_date,
        line_type,
        cost_activity_id,
        costing_method,
        cast(pool_cost_amount as {{ dbt.type_numeric() }}) as pool_cost_amount,
        cast(allocated_amount as {{ dbt.type_numeric() }}) as allocated_amount,
        cast(unused_capacity_amount as {{ dbt.type_numeric() }}) as unused_capacity_amount,
        cast(unallocated_amount as {{ dbt.type_numeric() }}) as unallocated_amount,
        round(
            cast(
                pool_cost_amount - allocated_amount - unused_capacity_amount - unallocated_amount
                as {{ dbt.type_numeric() }}
            ),
            2
        ) as difference_amount
    from lines
)

select * from final
