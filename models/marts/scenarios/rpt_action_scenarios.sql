-- Each action scenario in one row (docs/domain.md §10): what the customers it is for
-- bring and cost before and after, the cost it releases (time-driven minutes freed,
-- conventional cost re-spread over the other customers), its net profit effect as is and
-- with the capacity reduced, and the whale curve after it. As is, the pools cost what
-- they cost, so profit moves by the gross margin alone; with the capacity reduced it also
-- saves the freed minutes at their capacity cost rate.
with scenarios as (
    select * from {{ ref('action_scenarios') }}
),

customers as (
    select * from {{ ref('fct_action_scenarios') }}
),

pools as (
    select * from {{ ref('fct_action_scenario_pools') }}
),

-- the window and the whale curve before any action
curve_summary as (
    select * from {{ ref('rpt_profit_curve_summary') }}
),

customer_totals as (
    select
        scenario_code,
        count(*) as customer_count,
        sum(case when is_selected then 1 else 0 end) as selected_customer_count,
        sum(case when is_stopped then 1 else 0 end) as stopped_customer_count,
        sum(revenue_before_amount) as revenue_before_amount,
        sum(revenue_after_amount) as revenue_after_amount,
        sum(revenue_before_amount - cogs_before_amount) as gross_margin_before_amount,
        sum(revenue_after_amount - cogs_after_amount) as gross_margin_after_amount,
        sum(cost_to_serve_before_amount) as cost_to_serve_before_amount,
        sum(cost_to_serve_after_amount) as cost_to_serve_after_amount,
        sum(net_profit_before_amount) as net_profit_before_amount,
        sum(net_profit_after_amount) as net_profit_after_amount,
        sum(
            case
                when is_selected then 0
                else conventional_cost_after_amount - conventional_cost_before_amount
            end
        ) as conventional_cost_respread_amount,
        sum(case when not is_stopped and net_profit_after_amount < 0 then 1 else 0 end)
            as loss_customer_count_after
    from customers
    group by scenario_code
),

pool_totals as (
    select
        scenario_code,
        sum(freed_minutes) as freed_minutes,
        sum(freed_capacity_amount) as freed_capacity_amount,
        sum(unused_capacity_before_amount) as unused_capacity_before_amount,
        sum(as_is_unused_capacity_amount) as unused_capacity_after_amount,
        sum(unallocated_before_amount) as unallocated_before_amount,
        sum(unallocated_after_amount) as unallocated_after_amount
    from pools
    group by scenario_code
),

-- The whale curve of the customers still served after the action.
curve_after as (
    select
        scenario_code,
        sum(net_profit_after_amount) over (
            partition by scenario_code
            order by net_profit_after_amount desc, customer_id asc
            rows between unbounded preceding and current row
        ) as cumulative_net_profit_amount,
        sum(net_profit_after_amount) over (partition by scenario_code)
            as total_net_profit_amount
    from customers
    where not is_stopped
),

peak_after as (
    select
        scenario_code,
        -- undefined when the customers make no profit in total
        max(
            case
                when total_net_profit_amount > 0
                    then 100.0 * cumulative_net_profit_amount / total_net_profit_amount
            end
        ) as peak_cumulative_profit_pct
    from curve_after
    group by scenario_code
),

final as (
    select
        s.scenario_code,
        s.scenario_name,
        s.action_kind,
        s.description,
        cs.analysis_start_date,
        cs.analysis_end_date,
        c.customer_count,
        c.selected_customer_count,
        c.stopped_customer_count,
        c.revenue_before_amount,
        c.revenue_after_amount,
        c.gross_margin_before_amount,
        c.gross_margin_after_amount,
        c.cost_to_serve_before_amount,
        c.cost_to_serve_after_amount,
        c.net_profit_before_amount,
        c.net_profit_after_amount,
        p.freed_minutes,
        p.freed_capacity_amount,
        c.conventional_cost_respread_amount,
        p.unused_capacity_before_amount,
        p.unused_capacity_after_amount,
        p.unallocated_before_amount,
        p.unallocated_after_amount,
        c.gross_margin_after_amount - c.gross_margin_before_amount as net_effect_as_is_amount,
        c.gross_margin_after_amount - c.gross_margin_before_amount + p.freed_capacity_amount
            as net_effect_capacity_reduced_amount,
        cs.loss_customer_count as loss_customer_count_before,
        c.loss_customer_count_after,
        cs.peak_cumulative_profit_pct as peak_cumulative_profit_pct_before,
        round(pa.peak_cumulative_profit_pct, 4) as peak_cumulative_profit_pct_after
    from scenarios as s
    cross join curve_summary as cs
    inner join customer_totals as c on s.scenario_code = c.scenario_code
    inner join pool_totals as p on s.scenario_code = p.scenario_code
    left join peak_after as pa on s.scenario_code = pa.scenario_code
)

select * from final
