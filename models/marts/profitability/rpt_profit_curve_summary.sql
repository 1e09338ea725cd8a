-- The whale curve in one row: its peak, where it peaks, and what the loss customers cost.
with curve as (
    select * from {{ ref('fct_profit_curve') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

peak as (
    select max(cumulative_profit_pct) as peak_cumulative_profit_pct from curve
),

at_peak as (
    select min(c.cumulative_customer_pct) as customers_at_peak_pct
    from curve as c
    inner join peak as p on c.cumulative_profit_pct = p.peak_cumulative_profit_pct
),

totals as (
    select
        count(*) as customer_count,
        -- 0, not null, on a curve without customers (a night without orders)
        coalesce(sum(case when is_loss_customer then 1 else 0 end), 0) as loss_customer_count,
        coalesce(sum(case when net_profit_amount > 0 then 1 else 0 end), 0)
            as profitable_customer_count,
        coalesce(sum(net_profit_amount), 0) as total_net_profit_amount,
        coalesce(sum(case when is_loss_customer then net_profit_amount else 0 end), 0)
            as loss_customers_net_profit_amount
    from curve
),

final as (
    select
        w.start_date as analysis_start_date,
        w.end_date as analysis_end_date,
        t.customer_count,
        t.profitable_customer_count,
        t.loss_customer_count,
        t.total_net_profit_amount,
        t.loss_customers_net_profit_amount,
        p.peak_cumulative_profit_pct,
        a.customers_at_peak_pct
    from totals as t
    cross join peak as p
    cross join at_peak as a
    cross join analysis_window as w
)

select * from final
