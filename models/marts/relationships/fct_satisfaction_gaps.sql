-- Satisfaction per customer and dimension (docs/domain.md §6, slides 116-119): experience
-- minus expectation, from the customer's latest survey. Negative: the customer got less
-- than expected.
with latest_surveys as (
    select * from {{ ref('int_customer_surveys__latest') }}
),

final as (
    select
        customer_id,
        dimension,
        survey_date,
        response_count,
        expectation_score,
        experience_score,
        gap_score
    from latest_surveys
)

select * from final
