-- The largest customers of the analysis window by revenue (docs/domain.md §2, slide 16), with
-- their share of revenue and of net profit. Ties by customer_id.
with ranked as (
    select * from {{ ref('int_customer_measures__ranked') }}
),

totals as (
    select sum(net_profit_amount) as total_net_profit_amount from ranked
),

cumulative as (
    select
        r.*,
        t.total_net_profit_amount,
        sum(r.revenue_amount) over (
            order by r.revenue_rank rows between unbounded preceding and current row
        ) as cumulative_revenue_amount
    from ranked as r
    cross join totals as t
),

final as (
    select
        revenue_rank,
        customer_id,
        customer_name,
        cast(revenue_amount as {{ dbt.type_numeric() }}) as revenue_amount,
        case
            when total_revenue_amount > 0 then 100.0 * revenue_amount / total_revenue_amount
        end as revenue_share_pct,
        case
            when total_revenue_amount > 0
                then 100.0 * cumulative_revenue_amount / total_revenue_amount
        end as cumulative_revenue_share_pct,
        cast(net_profit_amount as {{ dbt.type_numeric() }}) as net_profit_amount,
        -- undefined when the customers make no profit in total
        case
            when total_net_profit_amount > 0
                then 100.0 * net_profit_amount / total_net_profit_amount
        end as profit_share_pct,
        case
            when revenue_amount > 0 then 100.0 * net_profit_amount / revenue_amount
        end as net_margin_pct
    from cumulative
    where revenue_rank <= {{ var('top_customers_count') }}
)

select * from final
