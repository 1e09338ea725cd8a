{{ config(**incremental_monthly_config()) }}
-- depends_on: {{ source('loader', 'load_log') }}
-- Customer contribution per month: revenue - COGS = gross margin; - cost to serve = net profit.
-- Incremental (macros/incremental_months.sql): a nightly run rebuilds the months of new
-- rows, and the months that entered or left the analysis window.
with revenue as (
    select * from {{ ref('int_customer_revenue__monthly') }}
),

cost_to_serve as (
    select * from {{ ref('fct_cost_to_serve') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

-- The months whose revenue or cost to serve was rebuilt since the last build, and those
-- whose place in the analysis window changed (a new month moves the window).
{% call changed_months_cte([
    [ref('int_customer_revenue__monthly'), 'month_start_date', 'loaded_through_load_id'],
    [ref('fct_cost_to_serve'), 'month_start_date', 'loaded_through_load_id'],
]) %}
    union
    select t.month_start_date
    from {{ this }} as t
    cross join analysis_window as w
    where t.is_in_analysis_window <> (t.month_start_date between w.start_date and w.end_date)
{% endcall %}

monthly_cost as (
    select
        customer_id,
        month_start_date,
        sum(allocated_amount) as cost_to_serve_amount
    from cost_to_serve
    where {{ in_changed_months('month_start_date') }}
    group by customer_id, month_start_date
),

combined as (
    select
        customer_id,
        month_start_date,
        gross_sales_amount,
        returns_amount,
        revenue_amount,
        cogs_amount,
        0 as cost_to_serve_amount
    from revenue
    where {{ in_changed_months('month_start_date') }}

    union all

    select
        customer_id,
        month_start_date,
        0 as gross_sales_amount,
        0 as returns_amount,
        0 as revenue_amount,
        0 as cogs_amount,
        cost_to_serve_amount
    from monthly_cost
),

summed as (
    select
        customer_id,
        month_start_date,
        cast(sum(gross_sales_amount) as {{ dbt.type_numeric() }}) as gross_sales_amount,
        cast(sum(returns_amount) as {{ dbt.type_numeric() }}) as returns_amount,
        cast(sum(revenue_amount) as {{ dbt.type_numeric() }}) as revenue_amount,
        cast(sum(cogs_amount) as {{ dbt.type_numeric() }}) as cogs_amount,
        cast(sum(cost_to_serve_amount) as {{ dbt.type_numeric() }}) as cost_to_serve_amount
    from combined
    group by customer_id, month_start_date
),

final as (
    select
        s.customer_id,
        s.month_start_date,
        s.gross_sales_amount,
        s.returns_amount,
        s.revenue_amount,
        s.cogs_amount,
        s.revenue_amount - s.cogs_amount as gross_margin_amount,
        s.cost_to_serve_amount,
        s.revenue_amount - s.cogs_amount - s.cost_to_serve_amount as net_profit_amount,
        case
            when s.revenue_amount > 0
                then
                    100.0 * (s.revenue_amount - s.cogs_amount - s.cost_to_serve_amount)
                    / s.revenue_amount
        end as net_margin_pct,
        s.month_start_date between w.start_date and w.end_date as is_in_analysis_window,
        {{ newest_load_id() }} as loaded_through_load_id
    from summed as s
    cross join analysis_window as w
)

select * from final
