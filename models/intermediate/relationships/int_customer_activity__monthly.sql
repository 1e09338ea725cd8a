-- Each customer's buying per month: completed orders and revenue (net of returns).
-- A month with a completed order makes the customer active; the basis of retention,
-- decay and cohorts.
with orders as (
    select * from {{ ref('stg_orders__orders') }}
),

revenue as (
    select * from {{ ref('int_customer_revenue__monthly') }}
),

order_months as (
    select
        customer_id,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as month_start_date,
        count(*) as completed_order_count
    from orders
    where status = 'completed'
    group by customer_id, cast({{ dbt.date_trunc('month', 'order_date') }} as date)
),

final as (
    select
        coalesce(o.customer_id, r.customer_id) as customer_id,
        coalesce(o.month_start_date, r.month_start_date) as month_start_date,
        coalesce(o.completed_order_count, 0) as completed_order_count,
        coalesce(r.revenue_amount, 0) as revenue_amount,
        coalesce(o.completed_order_count, 0) > 0 as is_active
    from order_months as o
    full outer join revenue as r
        on o.customer_id = r.customer_id and o.month_start_date = r.month_start_date
)

select * from final
