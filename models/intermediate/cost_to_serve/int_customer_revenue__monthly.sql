{{
    config(
        pre_hook="{{ empty_if_rows_replaced(['orders/orders', 'orders/order_lines', 'orders/returns', 'costs/products']) }}",
        **incremental_monthly_config()
    )
}}
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

{% if is_incremental() %}
-- The months of rows loaded since the last build: a line counts in its order's month.
changed_months as (
    {{- months_loaded_since_last_build([
        ['orders', 'order_date', '_load_id'],
        ['order_lines as l inner join orders as o on l.order_id = o.order_id', 'o.order_date', 'l._load_id'],
        ['returns', 'return_date', '_load_id'],
    ]) }}
),
{% endif %}

-- The newest load this build reads, kept in every row for the next incremental run
-- (a changed product replaces rows: the pre-hook then rebuilds every month).
loaded_through as (
    {{ newest_load_id(['orders', 'order_lines', 'returns']) }}
),

completed_lines as (
    select
        o.customer_id,
        o.order_date,
        l.order_id,
        l.line_number,
        l.quantity,
        l.unit_net_price,
        p.unit_standard_cost_amount
    from order_lines as l
    inner join orders as o on l.order_id = o.order_id
    inner join products as p on l.product_id = p.product_id
    where o.status = 'completed'
),

sales as (
    select
        customer_id,
        {{ dbt.date_trunc('month', 'order_date') }} as month_start_date,
        sum(quantity * unit_net_price) as gross_sales_amount,
        0 as returns_amount,
        sum(quantity * unit_standard_cost_amount) as cogs_amount
    from completed_lines
    where {{ in_changed_months('order_date') }}
    group by customer_id, {{ dbt.date_trunc('month', 'order_date') }}
),

credited_returns as (
    select
        l.customer_id,
        {{ dbt.date_trunc('month', 'r.return_date') }} as month_start_date,
        0 as gross_sales_amount,
        sum(r.returned_quantity * l.unit_net_price) as returns_amount,
        -1 * sum(r.returned_quantity * l.unit_standard_cost_amount) as cogs_amount
    from returns as r
    inner join completed_lines as l
        on r.order_id = l.order_id and r.line_number = l.line_number
    where {{ in_changed_months('r.return_date') }}
    group by l.customer_id, {{ dbt.date_trunc('month', 'r.return_date') }}
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
        (select loaded_through_load_id from loaded_through) as loaded_through_load_id
    from combined
    group by customer_id, cast(month_start_date as date)
)

select * from final
