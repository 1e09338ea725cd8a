-- The analysis window: vars analysis_start_date / analysis_end_date when set, else the
-- trailing analysis_window_months complete months ending at the last complete month
-- of the order data.
with orders as (
    select * from {{ ref('stg_orders__orders') }}
),

last_order as (
    select max(order_date) as last_order_date from orders
),

window_end as (
    select
        {% if var('analysis_end_date') -%}
        cast('{{ var("analysis_end_date") }}' as date) as end_date
        {%- else -%}
        -- the day before the first of the month after the last order's next day
        cast(
            {{ dbt.dateadd('day', -1, dbt.date_trunc('month', dbt.dateadd('day', 1, 'last_order_date'))) }}
            as date
        ) as end_date
        {%- endif %}
    from last_order
),

final as (
    select
        {% if var('analysis_start_date') -%}
        cast('{{ var("analysis_start_date") }}' as date) as start_date,
        {%- else -%}
        cast(
            {{ dbt.dateadd('month', -1 * (var('analysis_window_months') | int), dbt.dateadd('day', 1, 'end_date')) }}
            as date
        ) as start_date,
        {%- endif %}
        end_date
    from window_end
)

select * from final
