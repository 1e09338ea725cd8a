-- Customer decay per month (docs/domain.md §8, slides 16 and 22): active, new, lost and dried-up
-- customers (new: created inside the data, first completed order in the month). Lost: the
-- month in which a customer completes 12 months (var
-- `lost_after_months`) without a completed order. Dried up: revenue over the 12 months
-- ending in the month fell by more than 50% (var `dried_up_revenue_drop_pct`) against
-- the 12 months before, and the customer is not lost.
{%- set lost_after = var('lost_after_months') | int %}
with spine as (
    select * from {{ ref('int_customer_months__spine') }}
),

rolling as (
    select
        *,
        sum(revenue_amount) over (
            partition by customer_id order by month_start_date
            rows between 11 preceding and current row
        ) as trailing_year_revenue_amount,
        sum(revenue_amount) over (
            partition by customer_id order by month_start_date
            rows between 23 preceding and 12 preceding
        ) as previous_year_revenue_amount,
        sum(case when is_active then 1 else 0 end) over (
            partition by customer_id order by month_start_date
            rows between {{ lost_after - 1 }} preceding and current row
        ) as active_months_in_lost_horizon,
        sum(case when is_active then 1 else 0 end) over (
            partition by customer_id order by month_start_date
            rows between {{ lost_after }} preceding and {{ lost_after }} preceding
        ) as was_active_lost_horizon_ago
    from spine
),

flagged as (
    select
        *,
        active_months_in_lost_horizon = 0 and was_active_lost_horizon_ago = 1 as is_newly_lost,
        active_months_in_lost_horizon > 0
        and tenure_month_number >= 12
        and previous_year_revenue_amount > 0
        and trailing_year_revenue_amount < previous_year_revenue_amount
        * (1 - {{ var('dried_up_revenue_drop_pct') }} / 100.0)
            as is_dried_up
    from rolling
),

final as (
    select
        month_start_date,
        sum(case when is_active then 1 else 0 end) as active_customer_count,
        -- a customer created before the data began was not new when it first shows up
        sum(case when tenure_month_number = 0 and is_acquired_in_data then 1 else 0 end)
            as new_customer_count,
        sum(case when is_newly_lost then 1 else 0 end) as lost_customer_count,
        sum(case when active_months_in_lost_horizon > 0 then 1 else 0 end)
            as retained_customer_count,
        sum(case when is_dried_up then 1 else 0 end) as dried_up_customer_count
    from flagged
    group by month_start_date
)

select * from final
