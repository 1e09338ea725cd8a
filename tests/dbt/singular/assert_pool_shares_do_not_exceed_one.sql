{{ config(meta={"dagster": {"ref": {"name": "stg_costs__activities"}}}) }}
-- The conventional activities of a pool share its cost: their pool shares add up to at
-- most 1. Less than 1 is allowed (the rest is reported as unassigned); more would charge
-- customers more than the pool cost, so the refresh stops and names the pool.
select
    pool_id,
    sum(pool_share) as total_pool_share
from {{ ref('stg_costs__activities') }}
where pool_share is not null
group by pool_id
having sum(pool_share) > 1.000001
