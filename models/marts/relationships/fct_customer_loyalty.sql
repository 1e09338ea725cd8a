-- Satisfaction and loyalty per customer (docs/domain.md §6, slides 123-125; Jones & Sasser).
-- Satisfaction: the experience score of the latest survey (the `overall` dimension, else
-- the mean over dimensions), in zones. Loyalty from behaviour (still buying, not dried
-- up) and stated intent (repurchase); the category follows from zone x loyal x
-- recommends (seed loyalty_categories). No survey: `unknown`, never a guess.
with activity as (
    select * from {{ ref('int_customer_activity__monthly') }}
),

latest_surveys as (
    select * from {{ ref('int_customer_surveys__latest') }}
),

crm_customers as (
    select * from {{ ref('stg_crm__customers') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

loyalty_categories as (
    select * from {{ ref('loyalty_categories') }}
),

-- the window and the period of the same length before it
periods as (
    select
        start_date,
        end_date,
        {{ dbt.datediff('start_date', dbt.dateadd('day', 1, 'end_date'), 'month') }}
            as window_months,
        cast(
            {{ dbt.dateadd('month', -1 * (var('analysis_window_months') | int), 'start_date') }}
            as date
        ) as previous_start_date,
        cast(
            {{ dbt.dateadd(
                'month', -1 * (var('lost_after_months') | int) + 1, dbt.date_trunc('month', 'end_date')
            ) }}
            as date
        ) as retained_since_date
    from analysis_window
),

behaviour as (
    select
        a.customer_id,
        max(case when a.is_active then a.month_start_date end) as last_active_month_date,
        sum(
            case
                when a.month_start_date between p.start_date and p.end_date then a.revenue_amount
                else 0
            end
        ) as revenue_amount,
        sum(
            case
                when
                    a.month_start_date >= p.previous_start_date
                    and a.month_start_date < p.start_date
                    then a.revenue_amount
                else 0
            end
        ) as previous_revenue_amount
    from activity as a
    cross join periods as p
    where a.month_start_date <= p.end_date
    group by a.customer_id
),

stated as (
    select
        customer_id,
        max(survey_date) as survey_date,
        -- the answers to the overall question when asked, else the mean over the dimensions
        coalesce(
            max(case when dimension = 'overall' then experience_score end),
            avg(experience_score)
        ) as satisfaction_score,
        coalesce(max(case when dimension = 'overall' then gap_score end), avg(gap_score))
            as satisfaction_gap_score,
        coalesce(
            max(case when dimension = 'overall' then repurchase_intent_score end),
            avg(repurchase_intent_score)
        ) as repurchase_intent_score,
        coalesce(
            max(case when dimension = 'overall' then recommend_score end), avg(recommend_score)
        ) as recommend_score
    from latest_surveys
    group by customer_id
),

assessed as (
    select
        b.customer_id,
        c.customer_name,
        b.last_active_month_date,
        b.revenue_amount,
        b.previous_revenue_amount,
        c.sales_potential_amount,
        case
            when c.sales_potential_amount > 0
                then 100.0 * b.revenue_amount * 12 / p.window_months / c.sales_potential_amount
        end as share_of_wallet_pct,
        case
            when c.sales_potential_amount > 0
                then
                    100.0 * (b.revenue_amount - b.previous_revenue_amount) * 12
                    / p.window_months / c.sales_potential_amount
        end as share_of_wallet_trend_pct_points,
        coalesce(b.last_active_month_date >= p.retained_since_date, false) as is_retained,
        b.previous_revenue_amount > 0
        and b.revenue_amount
        < b.previous_revenue_amount * (1 - {{ var('dried_up_revenue_drop_pct') }} / 100.0)
            as has_halved_revenue,
        s.survey_date,
        s.satisfaction_score,
        s.satisfaction_gap_score,
        s.repurchase_intent_score,
        s.recommend_score,
        case
            when s.satisfaction_score is null then 'unknown'
            when s.satisfaction_score < {{ var('satisfaction_defection_below') }} then 'defection'
            when s.satisfaction_score >= {{ var('satisfaction_affection_from') }} then 'affection'
            else 'indifference'
        end as satisfaction_zone
    from behaviour as b
    inner join crm_customers as c on b.customer_id = c.customer_id
    cross join periods as p
    left join stated as s on b.customer_id = s.customer_id
    where b.last_active_month_date is not null
),

flagged as (
    select
        *,
        -- a lost customer is lost, not dried up
        is_retained and has_halved_revenue as is_dried_up,
        is_retained
        and not has_halved_revenue
        and coalesce(repurchase_intent_score >= {{ var('loyal_min_repurchase_intent') }}, true)
            as is_loyal,
        coalesce(recommend_score >= {{ var('promoter_min_recommend') }}, false) as is_promoter
    from assessed
),

final as (
    select
        f.customer_id,
        f.customer_name,
        f.last_active_month_date,
        cast(f.revenue_amount as {{ dbt.type_numeric() }}) as revenue_amount,
        cast(f.previous_revenue_amount as {{ dbt.type_numeric() }}) as previous_revenue_amount,
        f.share_of_wallet_pct,
        f.share_of_wallet_trend_pct_points,
        f.is_retained,
        f.is_dried_up,
        f.survey_date,
        f.satisfaction_score,
        f.satisfaction_gap_score,
        f.repurchase_intent_score,
        f.recommend_score,
        f.satisfaction_zone,
        f.is_loyal,
        f.is_promoter,
        coalesce(l.loyalty_category, 'unknown') as loyalty_category
    from flagged as f
    left join loyalty_categories as l
        on
            f.satisfaction_zone = l.satisfaction_zone
            and f.is_loyal = l.is_loyal
            and f.is_promoter = l.is_promoter
)

select * from final
