-- The price premium each customer paid per month (docs/domain.md §7, slide 128): over its
-- completed order lines, (net price - the product's average net price) x quantity. The
-- average is quantity-weighted over all completed lines of the product.
with orders as (
    select * from {{ ref('stg_orders__orders') }}
),

order_lines as (
    select * from {{ ref('stg_orders__order_lines') }}
),

completed_lines as (
    select
        o.customer_id,
        cast({{ dbt.date_trunc('month', 'o.order_date') }} as date) as month_start_date,
        l.product_id,
        l.quantity,
        l.unit_net_price
    from order_lines as l
    inner join orders as o on l.order_id = o.order_id
    where o.status = 'completed'
),

product_prices as (
    select
        product_id,
        sum(quantity * unit_net_price) / sum(quantity) as average_net_price
    from completed_lines
    group by product_id
),

final as (
    select
        l.customer_id,
        l.month_start_date,
        sum((l.unit_net_price - p.average_net_price) * l.quantity) as price_premium_amount
    from completed_lines as l
    inner join product_prices as p on l.product_id = p.product_id
    group by l.customer_id, l.month_start_date
)

select * from final
