-- The cumulative profit ("whale") curve: customers ranked by net profit, highest first
-- (ties by customer_id), with the cumulative share of customers and of total profit.
with customers as (
    select * from {{ ref('fct_customer_profitability_window') }}
),

ranked as (
    select
        customer_id,
        net_profit_amount,
        row_number() over (order by net_profit_amount desc, customer_id asc) as profit_rank,
        count(*) over () as customer_count,
        sum(net_profit_amount) over () as total_net_profit_amount,
        sum(net_profit_amount) over (
            order by net_profit_amount desc, customer_id asc
            rows between unbounded preceding and current row
        ) as cumulative_net_profit_amount
    from customers
),

final as (
    select
        customer_id,
        profit_rank,
        net_profit_amount,
        cumulative_net_profit_amount,
        total_net_profit_amount,
        round(100.0 * profit_rank / customer_count, 4) as cumulative_customer_pct,
        -- undefined when the customers make no profit in total
        case
            when total_net_profit_amount > 0
                then round(100.0 * cumulative_net_profit_amount / total_net_profit_amount, 4)
        end as cumulative_profit_pct,
        net_profit_amount < 0 as is_loss_customer
    from ranked
)

select * from final
