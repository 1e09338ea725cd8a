-- How much of each cost driver a customer an action is for still causes, per scenario
-- (docs/domain.md §10): 0 when it is no longer served, 1 + v after a price rise with
-- volume change v, and for a channel move 1 + the change of seed
-- action_scenario_driver_changes (1 for a driver it does not list). Customers an action
-- is not for keep every driver (factor 1) and have no row here.
with scenario_customers as (
    select * from {{ ref('int_action_scenario_customers') }}
),

driver_changes as (
    select * from {{ ref('action_scenario_driver_changes') }}
),

drivers as (
    select distinct driver from {{ ref('stg_costs__activities') }}
    where driver <> 'none'
),

final as (
    select
        c.scenario_code,
        c.customer_id,
        d.driver,
        cast(
            c.volume_factor * {{ action_scenario_driver_change('dc.quantity_change_pct') }}
            as {{ type_double() }}
        ) as quantity_factor
    from scenario_customers as c
    cross join drivers as d
    left join driver_changes as dc
        on c.scenario_code = dc.scenario_code and d.driver = dc.driver
    where c.is_selected
)

select * from final
