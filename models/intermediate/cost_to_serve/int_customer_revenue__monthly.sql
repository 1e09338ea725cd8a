{{ config(**incremental_monthly_config()) }}
-- depends_on: {{ source('loader', 'load_log') }}
-- Revenue and COGS per customer and month: completed orders in their order month,
-- credited returns (at the line's net price and standard cost) in their return month.
-- Incremental (macros/incremental_months.sql): a nightly run rebuilds the months of new rows.
with orders as (
    select * from {{ ref('stg_orders__orders') }}
),

order_lines as (
    select * from {{ ref('stg_orders__order_lines') }}
),

returns as (
    select * from {{ ref('stg_orders__returns') }}
),

products as (
    select * from {{ ref('stg_costs__products') }}
),

-- The months of rows loaded since the last build: a line counts in its order's month.
{{ changed_months_cte(order_month_inputs() + [
    [ref('stg_orders__returns'), 'return_date', '_load_id'],
]) }}

completed_orders as (
    select
        order_id,
        customer_id,
        order_date
    from orders
    where status = 'completed'
),

-- Sales and returns each join the lines they need, and only one reads the order_lines
-- CTE: DuckDB materializes a CTE read twice whole (10M rows), even for one month.
sales as (
    select
        o.customer_id,
        {{ dbt.date_trunc('month', 'o.order_date') }} as month_start_date,
        sum(l.quantity * l.unit_net_price) as gross_sales_amount,
        0 as returns_amount,
        sum(l.quantity * p.unit_standard_cost_amount) as cogs_amount
    from order_lines as l
    inner join completed_orders as o on l.order_id = o.order_id
    inner join products as p on l.product_id = p.product_id
    where {{ in_changed_months('o.order_date') }}
    group by o.customer_id, {{ dbt.date_trunc('month', 'o.order_date') }}
),

credited_returns as (
    select
        o.customer_id,
        {{ dbt.date_trunc('month', 'r.return_date') }} as month_start_date,
        0 as gross_sales_amount,
        sum(r.returned_quantity * l.unit_net_price) as returns_amount,
        -1 * sum(r.returned_quantity * p.unit_standard_cost_amount) as cogs_amount
    from returns as r
    inner join {{ ref('stg_orders__order_lines') }} as l
        on r.order_id = l.order_id and r.line_number = l.line_number
    inner join completed_orders as o on l.order_id = o.order_id
    inner join products as p on l.product_id = p.product_id
    where {{ in_changed_months('r.return_date') }}
    group by o.customer_id, {{ dbt.date_trunc('month', 'r.return_date') }}
),

combined as (
    select * from sales
    union all
    select * from credited_returns
),

final as (
    select
        customer_id,
        cast(month_start_date as date) as month_start_date,
        cast(sum(gross_sales_amount) as {{ dbt.type_numeric() }}) as gross_sales_amount,
        cast(sum(returns_amount) as {{ dbt.type_numeric() }}) as returns_amount,
        cast(sum(gross_sales_amount) - sum(returns_amount) as {{ dbt.type_numeric() }})
            as revenue_amount,
        cast(sum(cogs_amount) as {{ dbt.type_numeric() }}) as cogs_amount,
        {{ newest_load_id() }} as loaded_through_load_id
    from combined
    group by customer_id, cast(month_start_date as date)
)

select * from final
