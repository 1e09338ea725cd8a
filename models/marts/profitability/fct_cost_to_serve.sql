{{ config(**incremental_monthly_config()) }}
-- depends_on: {{ source('loader', 'load_log') }}
-- depends_on: {{ ref('stg_costs__resource_pools') }}, {{ ref('stg_costs__activities') }}
-- Activity cost each customer caused: driver quantity x the activity's rate for the month.
-- Incremental (macros/incremental_months.sql): a nightly run rebuilds the months of new rows.
with driver_quantities as (
    select * from {{ ref('int_driver_quantities__monthly') }}
),

activity_rates as (
    select * from {{ ref('int_activity_rates__monthly') }}
),

-- The months whose driver quantities were rebuilt or whose pool costs were loaded since
-- the last build; a new activity file changes the rates of every month.
{{ changed_months_cte([
    [ref('int_driver_quantities__monthly'), 'month_start_date', 'loaded_through_load_id'],
    [ref('stg_costs__resource_pools'), 'period_start_date', '_load_id'],
    [ref('int_activity_rates__monthly') ~ ' as r cross join ' ~ ref('stg_costs__activities')
        ~ ' as a', 'r.month_start_date', 'a._load_id'],
]) }}

final as (
    select
        d.customer_id,
        r.cost_activity_id,
        r.month_start_date,
        r.pool_id,
        r.driver,
        r.costing_method,
        d.driver_quantity,
        r.unit_minutes,
        r.capacity_cost_rate_per_minute,
        r.cost_rate_per_driver_unit,
        d.driver_quantity * r.cost_rate_per_driver_unit as allocated_amount,
        {{ newest_load_id() }} as loaded_through_load_id
    from activity_rates as r
    inner join driver_quantities as d
        on r.driver = d.driver and r.month_start_date = d.month_start_date
    where r.cost_rate_per_driver_unit is not null and {{ in_changed_months('r.month_start_date') }}
)

select * from final
