-- Each contact of an opportunity's buying center, assessed (docs/domain.md §5): the situation
-- (slide 112) from the business result and personal benefit the proposal gives them and
-- their risk perception, and the order-chance verdict of slide 103 from their influence
-- role and response mode.
with buying_center as (
    select * from {{ ref('stg_crm__buying_center') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

final as (
    select
        b.opportunity_id,
        b.contact_id,
        o.customer_id,
        b.influence_role,
        b.response_mode,
        b.business_result,
        b.personal_benefit,
        b.power,
        b.risk_perception,
        b.assessed_date,
        -- support on the -2..2 scale: the mean of what the proposal gives them
        (b.business_result + b.personal_benefit) / 2.0 as support_score,
        case
            when
                b.business_result > 0 and b.personal_benefit > 0
                and b.risk_perception >= {{ var('buying_center_high_risk_min') }}
                then 'cautious_supporter'
            when b.business_result > 0 and b.personal_benefit > 0 then 'supporter'
            when b.business_result < 0 and b.personal_benefit < 0 then 'opponent'
            else 'constructive_critic'
        end as situation_assessment,
        case
            when b.influence_role = 'economic' and b.response_mode = 'even_keel'
                then 'no_order_chance'
            when b.influence_role = 'economic' and b.response_mode = 'overconfident'
                then 'wait'
            when b.influence_role in ('technical', 'user') and b.response_mode = 'even_keel'
                then 'work_via_economic_influence'
            else 'open'
        end as order_chance_verdict
    from buying_center as b
    inner join opportunities as o on b.opportunity_id = o.opportunity_id
)

select * from final
