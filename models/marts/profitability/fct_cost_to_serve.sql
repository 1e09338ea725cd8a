-- Activity cost each customer caused: driver quantity x the activity's rate for the month.
with driver_quantities as (
    select * from {{ ref('int_driver_quantities__monthly') }}
),

activity_rates as (
    select * from {{ ref('int_activity_rates__monthly') }}
),

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
        d.driver_quantity * r.cost_rate_per_driver_unit as allocated_amount
    from activity_rates as r
    inner join driver_quantities as d
        on r.driver = d.driver and r.month_start_date = d.month_start_date
    where r.cost_rate_per_driver_unit is not null
)

select * from final
