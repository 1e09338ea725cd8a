-- Each customer's most recent survey up to the end of the analysis window, per
-- dimension: the mean of the answers given on that date (several contacts may answer).
-- The latest survey, not only the window's, so customers who left keep their last voice.
with surveys as (
    select * from {{ ref('stg_crm__surveys') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

dated as (
    select
        s.*,
        max(s.survey_date) over (partition by s.customer_id) as latest_survey_date
    from surveys as s
    cross join analysis_window as w
    where s.survey_date <= w.end_date
),

final as (
    select
        customer_id,
        dimension,
        max(latest_survey_date) as survey_date,
        count(*) as response_count,
        avg(1.0 * expectation) as expectation_score,
        avg(1.0 * experience) as experience_score,
        avg(1.0 * experience) - avg(1.0 * expectation) as gap_score,
        avg(1.0 * repurchase_intent) as repurchase_intent_score,
        avg(1.0 * recommend) as recommend_score
    from dated
    where survey_date = latest_survey_date
    group by customer_id, dimension
)

select * from final
