{{ config(meta={"dagster": {"ref": {"name": "fct_profit_curve"}}}) }}
-- The whale curve ends at exactly 100% of customers and, when there is profit, of profit.
select
    c.profit_rank,
    c.cumulative_customer_pct,
    c.cumulative_profit_pct,
    c.total_net_profit_amount
from {{ ref('fct_profit_curve') }} as c
where
    c.profit_rank = (select max(m.profit_rank) from {{ ref('fct_profit_curve') }} as m)
    and (
        c.cumulative_customer_pct <> 100
        or (c.total_net_profit_amount > 0 and c.cumulative_profit_pct <> 100)
    )
