{{ config(**incremental_monthly_config()) }}
-- depends_on: {{ source('loader', 'load_log') }}
-- Cost-driver volume each customer caused, per month (docs/contract.md, "Driver quantities").
-- Incremental (macros/incremental_months.sql): a nightly run rebuilds the months of new rows.
with orders as (
    select * from {{ ref('stg_orders__orders') }}
),

order_lines as (
    select * from {{ ref('stg_orders__order_lines') }}
),

deliveries as (
    select * from {{ ref('stg_orders__deliveries') }}
),

returns as (
    select * from {{ ref('stg_orders__returns') }}
),

crm_activities as (
    select * from {{ ref('stg_crm__activities') }}
),

complaints as (
    select * from {{ ref('stg_crm__complaints') }}
),

-- The months of rows loaded since the last build; a line, delivery or return counts in
-- its order's month or its own, as below.
{{ changed_months_cte(order_month_inputs() + [
    [ref('stg_orders__deliveries'), 'delivery_date', '_load_id'],
    [ref('stg_orders__returns'), 'return_date', '_load_id'],
    [ref('stg_crm__activities'), 'activity_date', '_load_id'],
    [ref('stg_crm__complaints'), 'opened_date', '_load_id'],
]) }}

completed_orders as (
    select
        order_id,
        customer_id,
        delivery_type,
        {{ dbt.date_trunc('month', 'order_date') }} as month_start_date
    from orders
    where status = 'completed' and {{ in_changed_months('order_date') }}
),

driver_events as (
    select
        customer_id,
        month_start_date,
        'orders' as driver,
        count(*) as quantity
    from completed_orders
    group by customer_id, month_start_date

    union all

    select
        o.customer_id,
        o.month_start_date,
        'order_lines' as driver,
        count(*) as quantity
    from order_lines as l
    inner join completed_orders as o on l.order_id = o.order_id
    group by o.customer_id, o.month_start_date

    union all

    select
        customer_id,
        month_start_date,
        'rush_orders' as driver,
        count(*) as quantity
    from completed_orders
    where delivery_type = 'rush'
    group by customer_id, month_start_date

    union all

    select
        customer_id,
        month_start_date,
        'customers' as driver,
        1 as quantity
    from completed_orders
    group by customer_id, month_start_date

    union all

    select
        o.customer_id,
        {{ dbt.date_trunc('month', 'd.delivery_date') }} as month_start_date,
        'deliveries' as driver,
        count(*) as quantity
    from deliveries as d
    inner join orders as o on d.order_id = o.order_id
    where {{ in_changed_months('d.delivery_date') }}
    group by o.customer_id, {{ dbt.date_trunc('month', 'd.delivery_date') }}

    union all

    select
        o.customer_id,
        {{ dbt.date_trunc('month', 'r.return_date') }} as month_start_date,
        'returns' as driver,
        count(*) as quantity
    from returns as r
    inner join orders as o on r.order_id = o.order_id
    where {{ in_changed_months('r.return_date') }}
    group by o.customer_id, {{ dbt.date_trunc('month', 'r.return_date') }}

    union all

    select
        customer_id,
        {{ dbt.date_trunc('month', 'activity_date') }} as month_start_date,
        case activity_type
            when 'visit' then 'visits'
            when 'call' then 'call_minutes'
            when 'meeting' then 'meeting_minutes'
            when 'service' then 'service_minutes'
        end as driver,
        -- a visit is counted; calls, meetings and service are timed
        sum(case when activity_type = 'visit' then 1 else duration_minutes end) as quantity
    from crm_activities
    where
        activity_type in ('visit', 'call', 'meeting', 'service')
        and {{ in_changed_months('activity_date') }}
    group by customer_id, {{ dbt.date_trunc('month', 'activity_date') }}, activity_type

    union all

    select
        customer_id,
        {{ dbt.date_trunc('month', 'opened_date') }} as month_start_date,
        'complaints' as driver,
        count(*) as quantity
    from complaints
    where {{ in_changed_months('opened_date') }}
    group by customer_id, {{ dbt.date_trunc('month', 'opened_date') }}

    union all

    select
        customer_id,
        {{ dbt.date_trunc('month', 'opened_date') }} as month_start_date,
        'complaint_minutes' as driver,
        sum(handling_minutes) as quantity
    from complaints
    where {{ in_changed_months('opened_date') }}
    group by customer_id, {{ dbt.date_trunc('month', 'opened_date') }}
),

-- Each driver comes from one branch above, already grouped by customer and month: no
-- second aggregation (at 10M order lines it took 60% of this model's time).
final as (
    select
        customer_id,
        cast(month_start_date as date) as month_start_date,
        driver,
        cast(quantity as {{ dbt.type_numeric() }}) as driver_quantity,
        {{ newest_load_id() }} as loaded_through_load_id
    from driver_events
)

select * from final
