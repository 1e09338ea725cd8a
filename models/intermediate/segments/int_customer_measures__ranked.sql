-- Each customer of the window marts with the four measures of the 20/80 rules over the
-- analysis window (net profit, revenue, complaints, attention), its rank by each
-- (highest first, ties by customer_id, so every ranking is deterministic) and whether
-- it is significant: in the group that makes the first 80% of revenue.
with customers as (
    select * from {{ ref('fct_customer_profitability_window') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

complaints as (
    select * from {{ ref('stg_crm__complaints') }}
),

crm_activities as (
    select * from {{ ref('stg_crm__activities') }}
),

window_complaints as (
    select
        c.customer_id,
        count(*) as complaint_count
    from complaints as c
    cross join analysis_window as w
    where c.opened_date between w.start_date and w.end_date
    group by c.customer_id
),

-- Account-management attention: minutes of the roles that maintain relationships.
window_attention as (
    select
        a.customer_id,
        sum(a.duration_minutes) as attention_minutes
    from crm_activities as a
    cross join analysis_window as w
    where
        a.activity_date between w.start_date and w.end_date
        and a.employee_role in (
            {%- for role in var('attention_employee_roles') %}
            '{{ role }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
    group by a.customer_id
),

measures as (
    select
        c.customer_id,
        c.customer_name,
        c.revenue_amount,
        c.net_profit_amount,
        coalesce(q.complaint_count, 0) as complaint_count,
        coalesce(t.attention_minutes, 0) as attention_minutes
    from customers as c
    left join window_complaints as q on c.customer_id = q.customer_id
    left join window_attention as t on c.customer_id = t.customer_id
),

ranked as (
    select
        *,
        count(*) over () as customer_count,
        row_number() over (order by net_profit_amount desc, customer_id asc) as net_profit_rank,
        row_number() over (order by revenue_amount desc, customer_id asc) as revenue_rank,
        row_number() over (order by complaint_count desc, customer_id asc) as complaint_rank,
        row_number() over (order by attention_minutes desc, customer_id asc) as attention_rank,
        sum(revenue_amount) over () as total_revenue_amount,
        -- revenue of the customers with more revenue than this one: customers with equal
        -- revenue fall on the same side of the significance cut
        sum(revenue_amount) over (
            order by revenue_amount desc
            range between unbounded preceding and current row
        ) - sum(revenue_amount) over (partition by revenue_amount) as revenue_ahead_amount
    from measures
),

final as (
    select
        customer_id,
        customer_name,
        customer_count,
        revenue_amount,
        net_profit_amount,
        complaint_count,
        attention_minutes,
        net_profit_rank,
        revenue_rank,
        complaint_rank,
        attention_rank,
        cast(total_revenue_amount as {{ dbt.type_numeric() }}) as total_revenue_amount,
        cast(revenue_ahead_amount as {{ dbt.type_numeric() }}) as revenue_ahead_amount,
        coalesce(
            revenue_amount > 0
            and revenue_ahead_amount
            < {{ var('significance_revenue_share_pct') }} / 100.0 * total_revenue_amount,
            false
        ) as is_significant
    from ranked
)

select * from final
