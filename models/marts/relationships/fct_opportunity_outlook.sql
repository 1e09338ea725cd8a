-- Each opportunity's buying center in one row (docs/domain.md §5): support weighted by power,
-- whether a coach exists (slide 97: one must be created), and the order chance: the
-- most restrictive slide-103 verdict of its contacts.
with opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

assessments as (
    select * from {{ ref('fct_buying_center_assessment') }}
),

per_opportunity as (
    select
        opportunity_id,
        count(*) as contact_count,
        sum(power * support_score) / nullif(sum(power), 0) as power_weighted_support_score,
        sum(case when situation_assessment = 'supporter' then 1 else 0 end) as supporter_count,
        sum(case when situation_assessment = 'cautious_supporter' then 1 else 0 end)
            as cautious_supporter_count,
        sum(case when situation_assessment = 'constructive_critic' then 1 else 0 end)
            as constructive_critic_count,
        sum(case when situation_assessment = 'opponent' then 1 else 0 end) as opponent_count,
        max(case when influence_role = 'coach' then 1 else 0 end) = 1 as has_coach,
        max(case order_chance_verdict
            when 'no_order_chance' then 4
            when 'wait' then 3
            when 'work_via_economic_influence' then 2
            else 1
        end) as verdict_severity
    from assessments
    group by opportunity_id
),

final as (
    select
        o.opportunity_id,
        o.customer_id,
        o.opportunity_name,
        o.stage,
        o.status,
        o.opportunity_amount,
        o.created_date,
        o.close_date,
        coalesce(p.contact_count, 0) as contact_count,
        p.power_weighted_support_score,
        coalesce(p.supporter_count, 0) as supporter_count,
        coalesce(p.cautious_supporter_count, 0) as cautious_supporter_count,
        coalesce(p.constructive_critic_count, 0) as constructive_critic_count,
        coalesce(p.opponent_count, 0) as opponent_count,
        coalesce(p.has_coach, false) as has_coach,
        case p.verdict_severity
            when 4 then 'none'
            when 3 then 'wait'
            when 2 then 'work_via_economic_influence'
            when 1 then 'open'
            else 'unassessed'
        end as order_chance
    from opportunities as o
    left join per_opportunity as p on o.opportunity_id = p.opportunity_id
)

select * from final
