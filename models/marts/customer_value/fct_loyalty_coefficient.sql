-- The loyalty coefficient per year (docs/domain.md §8, slide 22): of the customers active at
-- the start of a year (a completed order in the 12 months before it), the share still
-- active at its end (a completed order during the year). Years are the 12-month periods
-- that end with the analysis window, as far back as the data has a year before them.
with spine as (
    select * from {{ ref('int_customer_months__spine') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

customer_years as (
    select
        s.customer_id,
        -- 1 = the year ending with the analysis window, 2 the one before, ...
        cast(
            floor(
                -- parenthesized: dbt-spark's datediff is a sum of two CASEs, so "/ 12" would
                -- bind to the second one alone
                (
                    {{ dbt.datediff(
                        's.month_start_date', dbt.date_trunc('month', 'w.end_date'), 'month'
                    ) }}
                ) / 12
            ) as {{ dbt.type_int() }}
        ) + 1 as years_back,
        max(case when s.is_active then 1 else 0 end) = 1 as is_active
    from spine as s
    cross join analysis_window as w
    -- 2: years_back, the expression above
    group by s.customer_id, 2  -- noqa: AM06
),

data_months as (
    select count(distinct s.month_start_date) as month_count
    from spine as s
),

final as (
    select
        cast(
            {{ dbt.dateadd('month', '-12 * (this_year.years_back - 1)', 'max(w.end_date)') }}
            as date
        ) as year_end_date,
        count(*) as active_at_start_customer_count,
        sum(case when this_year.is_active then 1 else 0 end) as still_active_customer_count,
        100.0 * sum(case when this_year.is_active then 1 else 0 end) / count(*)
            as loyalty_coefficient_pct
    from customer_years as previous_year
    inner join customer_years as this_year
        on
            previous_year.customer_id = this_year.customer_id
            and previous_year.years_back = this_year.years_back + 1
    cross join analysis_window as w
    cross join data_months as d
    where
        previous_year.is_active
        -- the previous year is whole in the data
        and 12 * previous_year.years_back <= d.month_count
    group by this_year.years_back
)

select * from final
