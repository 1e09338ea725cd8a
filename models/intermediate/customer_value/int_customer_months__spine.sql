-- Every customer and every month from its first completed order to the end of the
-- analysis window, with its orders and revenue (0 in quiet months), how many months
-- into its tenure the month lies, and whether the customer was acquired inside the
-- data (created on or after the first month of order data), so its first year is seen.
with activity as (
    select * from {{ ref('int_customer_activity__monthly') }}
),

crm_customers as (
    select * from {{ ref('stg_crm__customers') }}
),

-- every month from the first of the data to the end of the window, quiet ones too
-- (without orders, this month: the bounds are counted at compile time and may not be null)
months as (
    select cast(date_month as date) as month_start_date
    from (
        {{ dbt.date_spine(
            'month',
            'coalesce((select min(month_start_date) from ' ~ ref('int_customer_activity__monthly') ~ '), ' ~ dbt.date_trunc('month', 'current_date') ~ ')',
            dbt.dateadd('day', 1, 'coalesce((select max(end_date) from ' ~ ref('int_analysis_window') ~ '), current_date)'),
        ) | indent(8) }}
    ) as spine
),

first_months as (
    select
        customer_id,
        min(month_start_date) as acquisition_month_date
    from activity
    where is_active
    group by customer_id
),

data_start as (
    select min(month_start_date) as first_month_date from months
),

final as (
    select
        f.customer_id,
        m.month_start_date,
        f.acquisition_month_date,
        {{ dbt.datediff('f.acquisition_month_date', 'm.month_start_date', 'month') }}
            as tenure_month_number,
        c.created_date >= d.first_month_date as is_acquired_in_data,
        coalesce(a.completed_order_count, 0) as completed_order_count,
        coalesce(a.revenue_amount, 0) as revenue_amount,
        coalesce(a.is_active, false) as is_active
    from first_months as f
    inner join crm_customers as c on f.customer_id = c.customer_id
    cross join data_start as d
    inner join months as m on f.acquisition_month_date <= m.month_start_date
    left join activity as a
        on f.customer_id = a.customer_id and m.month_start_date = a.month_start_date
)

select * from final
