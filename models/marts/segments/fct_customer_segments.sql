-- Customer analysis and selection (docs/domain.md §3 and §4): the four criteria scored 0-100,
-- Whitney's qualification, the class with its resource category and attention budget,
-- and the Kraljic quadrant seen from the customer with its matching models.
-- Missing CRM scores give `unknown`, never a default: a criterion's score is null when
-- none of its CRM scores is filled in, and so are the verdicts that need it.
{%- set effects = var('strategic_effect_weights') %}
{%- set weights = var('classification_weights') %}
{%- set high = var('kraljic_high_min_score') %}
with measures as (
    select * from {{ ref('int_customer_measures__ranked') }}
),

crm_customers as (
    select * from {{ ref('stg_crm__customers') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

whitney_policies as (
    select * from {{ ref('whitney_policies') }}
),

resource_categories as (
    select * from {{ ref('resource_categories') }}
),

kraljic_matching_models as (
    select * from {{ ref('kraljic_matching_models') }}
),

window_length as (
    select
        {{ dbt.datediff('start_date', dbt.dateadd('day', 1, 'end_date'), 'month') }}
            as window_months
    from analysis_window
),

-- Significance and profitability: percentile rank among the window's customers (0 the
-- smallest, 100 the largest). Strategic importance and synergy: the (weighted) mean of
-- the CRM's 0-5 scores that are filled in, on a 0-100 scale.
scored as (
    select
        m.customer_id,
        m.customer_name,
        m.revenue_amount,
        m.net_profit_amount,
        m.attention_minutes,
        m.is_significant,
        c.sales_potential_amount,
        c.kraljic_impact,
        c.kraljic_replaceability,
        m.revenue_amount * 12.0 / l.window_months as yearly_revenue_amount,
        round(100.0 * percent_rank() over (order by m.revenue_amount), 4) as significance_score,
        round(100.0 * percent_rank() over (order by m.net_profit_amount), 4)
            as profitability_score,
        (
            {%- for effect, weight in effects.items() %}
            coalesce({{ weight }} * c.strategic_{{ effect }}, 0){{ " +" if not loop.last }}
            {%- endfor %}
        ) / nullif(
            {%- for effect, weight in effects.items() %}
            case when c.strategic_{{ effect }} is not null then {{ weight }} else 0 end
            {{- " +" if not loop.last }}
            {%- endfor %},
            0
        ) as strategic_effect_mean,
        (
            {%- for effect in effects %}
            case when c.strategic_{{ effect }} is not null then 1 else 0 end
            {{- " +" if not loop.last }}
            {%- endfor %}
        ) as strategic_effects_scored,
        (coalesce(c.synergy_culture, 0) + coalesce(c.synergy_relationship, 0)) * 1.0 / nullif(
            case when c.synergy_culture is not null then 1 else 0 end
            + case when c.synergy_relationship is not null then 1 else 0 end,
            0
        ) as synergy_mean
    from measures as m
    inner join crm_customers as c on m.customer_id = c.customer_id
    cross join window_length as l
),

criteria as (
    select
        *,
        round(100.0 * strategic_effect_mean / 5, 4) as strategic_score,
        round(100.0 * synergy_mean / 5, 4) as synergy_score,
        net_profit_amount > {{ var('profitable_min_net_profit_amount') }} as is_profitable,
        -- null (unknown) when no strategic effect is scored
        strategic_effect_mean >= {{ var('strategic_min_score') }} as is_strategic,
        case
            when kraljic_impact is null or kraljic_replaceability is null then 'unknown'
            when kraljic_impact >= {{ high }} and kraljic_replaceability >= {{ high }}
                then 'partner'
            when kraljic_impact >= {{ high }} then 'leverage'
            when kraljic_replaceability >= {{ high }} then 'bottleneck'
            else 'routine'
        end as kraljic_quadrant
    from scored
),

weighted as (
    select
        *,
        round(
            (
                {{ weights['significance'] }} * significance_score
                + {{ weights['profitability'] }} * profitability_score
                + {{ weights['strategic'] }} * strategic_score
                + {{ weights['synergy'] }} * synergy_score
            ) / {{ weights.values() | sum }},
            4
        ) as weighted_score
    from criteria
),

-- Slides 23 and 37; the first rule that holds wins, a loss always first.
classified as (
    select
        *,
        case
            when net_profit_amount < 0 then 'loss'
            when weighted_score is null then 'unknown'
            when weighted_score >= {{ var('key_account_min_weighted_score') }} then 'key_account'
            when
                is_strategic
                and sales_potential_amount
                >= {{ var('future_key_account_min_potential_ratio') }} * yearly_revenue_amount
                then 'future_key_account'
            when is_significant then 'large'
            else 'small'
        end as customer_class
    from weighted
),

class_sizes as (
    select
        customer_class,
        count(*) as class_customer_count
    from classified
    group by customer_class
),

attention_total as (
    select sum(attention_minutes) as total_attention_minutes from classified
),

final as (
    select
        c.customer_id,
        c.customer_name,
        cast(c.revenue_amount as {{ dbt.type_numeric() }}) as revenue_amount,
        cast(c.net_profit_amount as {{ dbt.type_numeric() }}) as net_profit_amount,
        cast(c.sales_potential_amount as {{ dbt.type_numeric() }}) as sales_potential_amount,
        c.significance_score,
        c.profitability_score,
        c.strategic_score,
        c.strategic_effects_scored,
        c.synergy_score,
        c.is_significant,
        c.is_profitable,
        c.is_strategic,
        coalesce(w.whitney_policy_code, 'unknown') as whitney_policy_code,
        coalesce(w.whitney_policy, 'Unknown: strategic importance is not scored in the CRM.')
            as whitney_policy,
        c.weighted_score,
        c.customer_class,
        r.resource_category,
        r.personal_relationship_owner,
        r.business_relationship_owner,
        r.attention_budget_share,
        round(
            a.total_attention_minutes * r.attention_budget_share / s.class_customer_count, 2
        ) as attention_budget_minutes,
        c.attention_minutes,
        case
            when a.total_attention_minutes * r.attention_budget_share > 0
                then round(
                    100.0 * c.attention_minutes * s.class_customer_count
                    / (a.total_attention_minutes * r.attention_budget_share),
                    2
                )
        end as attention_vs_budget_pct,
        c.kraljic_impact,
        c.kraljic_replaceability,
        c.kraljic_quadrant,
        coalesce(k.stewart_response, 'unknown') as stewart_response,
        coalesce(k.rackham_buying_strategy, 'unknown') as rackham_buying_strategy,
        coalesce(k.rackham_selling_strategy, 'unknown') as rackham_selling_strategy,
        coalesce(k.holden_buying_pattern, 'unknown') as holden_buying_pattern,
        coalesce(k.sales_approach, 'unknown') as sales_approach
    from classified as c
    inner join class_sizes as s on c.customer_class = s.customer_class
    cross join attention_total as a
    left join whitney_policies as w
        on
            c.is_strategic = w.is_strategic
            and c.is_significant = w.is_significant
            and c.is_profitable = w.is_profitable
    left join resource_categories as r on c.customer_class = r.customer_class
    left join kraljic_matching_models as k on c.kraljic_quadrant = k.kraljic_quadrant
)

select * from final
