-- The value of a customer over the years (docs/domain.md §7, slide 128; Reichheld & Sasser
-- 1990): mean profit per customer by tenure year, split so the parts add up to its net
-- profit plus the profit of the customers it referred:
--   base profit            year-1 net profit without its price premium (the same every year)
--   increased purchases    gross margin (without premium) above its year-1 level
--   reduced operating cost cost to serve below its year-1 level
--   price premium          net price above the product's average, x quantity
--   referrals              net profit of the customers it referred, in those months
-- Customers acquired inside the data that bought in the tenure year; per customer class
-- (fct_customer_segments, `outside_window` without activity in the window) and `all`.
-- Means are rounded to 6 decimals: sums of doubles differ in the last bits from run to
-- run (parallel aggregation), the published figures do not.
with tenure_years as (
    select * from {{ ref('int_customer_tenure_years') }}
),

segments as (
    select * from {{ ref('fct_customer_segments') }}
),

components as (
    select
        t.customer_id,
        coalesce(s.customer_class, 'outside_window') as customer_class,
        t.tenure_year,
        t.net_profit_amount,
        first_year.net_profit_amount - first_year.price_premium_amount as base_profit_amount,
        (t.gross_margin_amount - t.price_premium_amount)
        - (first_year.gross_margin_amount - first_year.price_premium_amount)
            as increased_purchases_amount,
        first_year.cost_to_serve_amount - t.cost_to_serve_amount
            as reduced_operating_cost_amount,
        t.price_premium_amount,
        t.referral_net_profit_amount as referrals_amount
    from tenure_years as t
    inner join tenure_years as first_year
        on t.customer_id = first_year.customer_id and first_year.tenure_year = 1
    left join segments as s on t.customer_id = s.customer_id
    where t.is_active
),

per_group as (
    {%- for group in ["'all'", 'customer_class'] %}
    select
        {{ group }} as customer_class,
        tenure_year,
        count(*) as customer_count,
        round(avg(base_profit_amount), 6) as base_profit_amount,
        round(avg(increased_purchases_amount), 6) as increased_purchases_amount,
        round(avg(reduced_operating_cost_amount), 6) as reduced_operating_cost_amount,
        round(avg(referrals_amount), 6) as referrals_amount,
        round(avg(price_premium_amount), 6) as price_premium_amount,
        round(avg(net_profit_amount), 6) as net_profit_amount
    from components
    group by {{ group }}, tenure_year
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        customer_class,
        tenure_year,
        customer_count,
        base_profit_amount,
        increased_purchases_amount,
        reduced_operating_cost_amount,
        referrals_amount,
        price_premium_amount,
        net_profit_amount,
        net_profit_amount + referrals_amount as total_value_amount
    from per_group
)

select * from final
