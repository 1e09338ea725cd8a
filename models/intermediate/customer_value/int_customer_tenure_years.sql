-- Each customer acquired inside the data, per complete tenure year (year 1 = the 12
-- months from its first completed order): whether it bought, what it earned, the price
-- premium it paid, and the net profit of the customers it referred in those months.
-- Only complete years: a year still running would look like decay.
with spine as (
    select * from {{ ref('int_customer_months__spine') }}
),

profitability as (
    select * from {{ ref('fct_customer_profitability') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

price_premiums as (
    select * from {{ ref('int_customer_price_premium__monthly') }}
),

crm_customers as (
    select * from {{ ref('stg_crm__customers') }}
),

referral_profit as (
    select
        c.referred_by_customer_id as customer_id,
        p.month_start_date,
        sum(p.net_profit_amount) as referral_net_profit_amount
    from profitability as p
    inner join crm_customers as c on p.customer_id = c.customer_id
    where c.referred_by_customer_id is not null
    group by c.referred_by_customer_id, p.month_start_date
),

tenure_months as (
    select
        s.customer_id,
        s.acquisition_month_date,
        cast(floor(s.tenure_month_number / 12) as {{ dbt.type_int() }}) + 1 as tenure_year,
        s.month_start_date,
        s.is_active,
        coalesce(p.gross_margin_amount, 0) as gross_margin_amount,
        coalesce(p.cost_to_serve_amount, 0) as cost_to_serve_amount,
        coalesce(p.net_profit_amount, 0) as net_profit_amount,
        coalesce(pp.price_premium_amount, 0) as price_premium_amount,
        coalesce(r.referral_net_profit_amount, 0) as referral_net_profit_amount
    from spine as s
    left join profitability as p
        on s.customer_id = p.customer_id and s.month_start_date = p.month_start_date
    left join price_premiums as pp
        on s.customer_id = pp.customer_id and s.month_start_date = pp.month_start_date
    left join referral_profit as r
        on s.customer_id = r.customer_id and s.month_start_date = r.month_start_date
    where s.is_acquired_in_data
),

final as (
    select
        t.customer_id,
        t.tenure_year,
        {{ dbt.date_trunc('year', 'min(t.acquisition_month_date)') }} as acquisition_year_date,
        min(t.month_start_date) as tenure_year_start_date,
        max(case when t.is_active then 1 else 0 end) = 1 as is_active,
        sum(t.gross_margin_amount) as gross_margin_amount,
        sum(t.cost_to_serve_amount) as cost_to_serve_amount,
        sum(t.net_profit_amount) as net_profit_amount,
        sum(t.price_premium_amount) as price_premium_amount,
        sum(t.referral_net_profit_amount) as referral_net_profit_amount
    from tenure_months as t
    cross join analysis_window as w
    group by t.customer_id, t.tenure_year
    -- complete: all 12 months of the tenure year lie in the data
    having count(*) = 12 and max(t.month_start_date) <= max(w.end_date)
)

select * from final
