{{ config(meta={"dagster": {"ref": {"name": "fct_profit_curve"}}}) }}
-- The whale curve ends at exactly 100% of customers and, when there is profit, of profit.
select *
from {{ ref('fct_profit_curve') }}
where profit_rank = (select max(profit_rank) from {{ ref('fct_profit_curve') }})
    and (
        cumulative_customer_pct <> 100
        or (total_net_profit_amount > 0 and cumulative_profit_pct <> 100)
    )
