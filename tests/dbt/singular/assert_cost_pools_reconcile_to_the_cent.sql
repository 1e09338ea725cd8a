{{ config(meta={"dagster": {"ref": {"name": "fct_cost_pool_reconciliation"}}}) }}
-- Finance's check: for every pool and month, allocated + unused capacity + unallocated
-- equals the pool's cost in the general ledger, to the cent.
with ledger as (
    select
        pool_id,
        period_start_date as month_start_date,
        cost_amount
    from {{ ref('stg_costs__resource_pools') }}
),

reconciled as (
    select
        pool_id,
        month_start_date,
        sum(allocated_amount + unused_capacity_amount + unallocated_amount) as accounted_amount
    from {{ ref('fct_cost_pool_reconciliation') }}
    group by pool_id, month_start_date
)

select
    l.pool_id,
    l.month_start_date,
    l.cost_amount,
    r.accounted_amount
from ledger as l
left join reconciled as r
    on l.pool_id = r.pool_id and l.month_start_date = r.month_start_date
where
    r.accounted_amount is null
    or abs(round(l.cost_amount - r.accounted_amount, 2)) >= 0.01
