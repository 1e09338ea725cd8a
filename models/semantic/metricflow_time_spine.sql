-- One row per day over the order history, padded to whole years: the calendar
-- MetricFlow joins metrics to (dbt's time spine). Without orders: this year (dbt's
-- date_spine counts its days at compile time, and a null bound would not compile).
{{ day_spine(
    dbt.date_trunc('year', 'coalesce((select min(order_date) from ' ~ ref('stg_orders__orders') ~ '), current_date)'),
    dbt.dateadd('year', 1, dbt.date_trunc('year', 'coalesce((select max(order_date) from ' ~ ref('stg_orders__orders') ~ '), current_date)')),
) }}
