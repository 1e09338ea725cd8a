-- Each action scenario (seed action_scenarios) against each customer of the analysis
-- window: whether the action is for the customer, and what it does to its revenue and
-- COGS (docs/domain.md §10). With volume change v and price rise p, revenue becomes
-- R (1 + v)(1 + p) and COGS C (1 + v) (slide 127): stopping a customer is v = -100%, a
-- price rise takes v from the customer's loyalty category, a channel move keeps both.
with scenarios as (
    select * from {{ ref('action_scenarios') }}
),

customers as (
    select * from {{ ref('fct_customer_profitability_window') }}
),

segments as (
    select * from {{ ref('fct_customer_segments') }}
),

loyalty as (
    select * from {{ ref('fct_customer_loyalty') }}
),

volume_responses as (
    select * from {{ ref('loyalty_volume_responses') }}
),

customer_attributes as (
    select
        c.customer_id,
        c.revenue_amount,
        c.cogs_amount,
        c.margin_cost_quadrant,
        s.whitney_policy_code,
        s.customer_class,
        s.kraljic_quadrant,
        coalesce(l.loyalty_category, 'unknown') as loyalty_category,
        v.volume_loss_pct_per_price_pct
    from customers as c
    left join segments as s on c.customer_id = s.customer_id
    left join loyalty as l on c.customer_id = l.customer_id
    left join volume_responses as v on coalesce(l.loyalty_category, 'unknown') = v.loyalty_category
),

selection as (
    select
        s.scenario_code,
        s.action_kind,
        s.price_increase_pct,
        c.*,
        -- select_values is a list separated by spaces: match a whole word
        coalesce(
            s.select_by = 'all'
            or {{ dbt.concat(["' '", 's.select_values', "' '"]) }} like {{ dbt.concat(["'% '",
                "case s.select_by"
                ~ " when 'customer_id' then c.customer_id"
                ~ " when 'whitney_policy_code' then c.whitney_policy_code"
                ~ " when 'customer_class' then c.customer_class"
                ~ " when 'margin_cost_quadrant' then c.margin_cost_quadrant"
                ~ " when 'loyalty_category' then c.loyalty_category"
                ~ " when 'kraljic_quadrant' then c.kraljic_quadrant end",
                "' %'"]) }},
            false
        ) as is_selected
    from scenarios as s
    cross join customer_attributes as c
),

with_changes as (
    select
        *,
        case
            when is_selected and action_kind = 'price_increase' then price_increase_pct / 100.0
            else 0
        end as price_increase_share,
        case
            when not is_selected then 0
            when action_kind = 'stop_serving' then -1
            when action_kind = 'price_increase'
                then {{ expected_volume_change_share(
                    'coalesce(volume_loss_pct_per_price_pct, 0)', 'price_increase_pct'
                ) }}
            else 0
        end as volume_change_share
    from selection
),

final as (
    select
        scenario_code,
        customer_id,
        action_kind,
        is_selected,
        is_selected and action_kind = 'stop_serving' as is_stopped,
        loyalty_category,
        100 * price_increase_share as price_increase_pct,
        100 * volume_change_share as volume_change_pct,
        1 + volume_change_share as volume_factor,
        revenue_amount as revenue_before_amount,
        cogs_amount as cogs_before_amount,
        revenue_amount * (1 + volume_change_share) * (1 + price_increase_share)
            as revenue_after_amount,
        cogs_amount * (1 + volume_change_share) as cogs_after_amount
    from with_changes
)

select * from final
