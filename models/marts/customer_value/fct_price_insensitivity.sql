-- What a price increase does to each customer's net profit (docs/domain.md §7, slide 127), for
-- every scenario of seed price_scenarios. With revenue R and net margin m, a price rise
-- p at unchanged volume adds p x R: profit rises by p / m x 100 %. Costs follow volume,
-- so after a volume change v net profit is R (1 + v) (m + p); it breaks even at a
-- volume loss of p / (m + p). The expected volume change is the customer's loyalty
-- category's response (seed loyalty_volume_responses) x p, never below -100%.
with customers as (
    select * from {{ ref('fct_customer_profitability_window') }}
),

loyalty as (
    select * from {{ ref('fct_customer_loyalty') }}
),

scenarios as (
    select * from {{ ref('price_scenarios') }}
),

volume_responses as (
    select * from {{ ref('loyalty_volume_responses') }}
),

responses as (
    select
        c.customer_id,
        c.revenue_amount,
        c.net_profit_amount,
        coalesce(l.loyalty_category, 'unknown') as loyalty_category,
        v.volume_loss_pct_per_price_pct
    from customers as c
    left join loyalty as l on c.customer_id = l.customer_id
    left join volume_responses as v on coalesce(l.loyalty_category, 'unknown') = v.loyalty_category
    where c.revenue_amount > 0
),

scenario_rows as (
    select
        r.customer_id,
        r.loyalty_category,
        s.price_increase_pct,
        r.revenue_amount,
        r.net_profit_amount,
        -- a double: on Spark a decimal quotient keeps 6 digits, and a small margin divides
        cast(r.net_profit_amount as {{ type_double() }}) / r.revenue_amount as net_margin_share,
        s.price_increase_pct / 100.0 as price_increase_share,
        {{ expected_volume_change_share(
            'r.volume_loss_pct_per_price_pct', 's.price_increase_pct'
        ) }} as volume_change_share
    from responses as r
    cross join scenarios as s
),

final as (
    select
        customer_id,
        price_increase_pct,
        loyalty_category,
        cast(revenue_amount as {{ dbt.type_numeric() }}) as revenue_amount,
        cast(net_profit_amount as {{ dbt.type_numeric() }}) as net_profit_amount,
        100 * net_margin_share as net_margin_pct,
        -- the effect is a rise on a positive profit; undefined for loss customers
        case
            when net_margin_share > 0
                then {{ profit_increase_pct('price_increase_share', 'net_margin_share') }}
        end as profit_increase_pct,
        case
            when net_margin_share > 0
                then {{ break_even_volume_loss_pct('price_increase_share', 'net_margin_share') }}
        end as break_even_volume_loss_pct,
        100 * volume_change_share as expected_volume_change_pct,
        revenue_amount * (1 + volume_change_share) * (net_margin_share + price_increase_share)
            as expected_net_profit_amount,
        revenue_amount * (1 + volume_change_share) * (net_margin_share + price_increase_share)
        - net_profit_amount as expected_profit_effect_amount
    from scenario_rows
)

select * from final
