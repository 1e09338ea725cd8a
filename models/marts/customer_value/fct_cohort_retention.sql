-- Retention per acquisition cohort and tenure year (docs/domain.md §8): of the customers
-- acquired in a calendar year (first completed order; acquired inside the data) whose
-- tenure year n is complete, the share that still bought in year n. 100 - retention of
-- year 2 is the cohort's first-year attrition.
with tenure_years as (
    select * from {{ ref('int_customer_tenure_years') }}
),

final as (
    select
        cast(acquisition_year_date as date) as acquisition_year_date,
        tenure_year,
        count(*) as cohort_customer_count,
        sum(case when is_active then 1 else 0 end) as active_customer_count,
        100.0 * sum(case when is_active then 1 else 0 end) / count(*) as retention_pct,
        100.0 - 100.0 * sum(case when is_active then 1 else 0 end) / count(*) as attrition_pct
    from tenure_years
    group by cast(acquisition_year_date as date), tenure_year
)

select * from final
