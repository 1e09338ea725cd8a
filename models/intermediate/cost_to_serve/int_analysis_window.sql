-- The analysis window: vars analysis_start_date / analysis_end_date when set, else the
-- trailing analysis_window_months complete months ending at the last complete month
-- of the order data.
{#- by default the day before the first of the month after the last order's next day -#}
{%- set end_date = "'" ~ var('analysis_end_date') ~ "'" if var('analysis_end_date')
    else dbt.dateadd('day', -1, dbt.date_trunc('month', dbt.dateadd('day', 1, 'last_order_date'))) %}
{%- set start_date = "'" ~ var('analysis_start_date') ~ "'" if var('analysis_start_date')
    else dbt.dateadd('month', -1 * (var('analysis_window_months') | int), dbt.dateadd('day', 1, 'end_date')) %}
with orders as (
    select * from {{ ref('stg_orders__orders') }}
),

last_order as (
    select max(order_date) as last_order_date from orders
),

window_end as (
    select cast({{ end_date }} as date) as end_date
    from last_order
),

final as (
    select
        cast({{ start_date }} as date) as start_date,
        end_date
    from window_end
)

select * from final
