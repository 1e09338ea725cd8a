-- One row per day over the order history, padded to whole years: the calendar
-- MetricFlow joins metrics to (dbt's time spine).
select cast(date_day as date) as date_day
from (
    {{ dbt.date_spine(
        'day',
        dbt.date_trunc('year', '(select min(order_date) from ' ~ ref('stg_orders__orders') ~ ')'),
        dbt.dateadd('year', 1, dbt.date_trunc('year', '(select max(order_date) from ' ~ ref('stg_orders__orders') ~ ')')),
    ) | indent(4) }}
) as spine
