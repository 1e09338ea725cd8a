-- Customer contribution over the analysis window, placed in the margin x cost-to-serve
-- matrix (Shapiro et al. 1987). "High" means strictly above the split point.
with monthly as (
    select * from {{ ref('fct_customer_profitability') }}
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

window_totals as (
    select
        customer_id,
        sum(revenue_amount) as revenue_amount,
        sum(cogs_amount) as cogs_amount,
        sum(gross_margin_amount) as gross_margin_amount,
        sum(cost_to_serve_amount) as cost_to_serve_amount,
        sum(net_profit_amount) as net_profit_amount
    from monthly
    where is_in_analysis_window
    group by customer_id
),

ratios as (
    select
        *,
        case
            when revenue_amount > 0 then 100.0 * gross_margin_amount / revenue_amount
        end as gross_margin_pct,
        case
            when revenue_amount > 0 then 100.0 * cost_to_serve_amount / revenue_amount
        end as cost_to_serve_pct,
        case
            when revenue_amount > 0 then 100.0 * net_profit_amount / revenue_amount
        end as net_margin_pct
    from window_totals
),

{% for measure in ['gross_margin', 'cost_to_serve'] %}
{{ measure }}_split as (
    {% if var(measure ~ '_split_pct') is not none %}  -- noqa: LT02
    select cast({{ var(measure ~ '_split_pct') }} as {{ dbt.type_float() }}) as split_pct
    {%- else -%}
    -- revenue-weighted median: the value at which half of the revenue is reached
    select min({{ measure }}_pct) as split_pct
    from (
        select
            {{ measure }}_pct,
            sum(revenue_amount) over (
                order by {{ measure }}_pct, customer_id
                rows between unbounded preceding and current row
            ) as cumulative_revenue_amount,
            sum(revenue_amount) over () as total_revenue_amount
        from ratios
        where revenue_amount > 0
    ) as ranked
    where cumulative_revenue_amount >= 0.5 * total_revenue_amount
    {%- endif %}
),
{% endfor %}

final as (
    select
        r.customer_id,
        c.customer_name,
        w.start_date as analysis_start_date,
        w.end_date as analysis_end_date,
        cast(r.revenue_amount as {{ dbt.type_numeric() }}) as revenue_amount,
        cast(r.cogs_amount as {{ dbt.type_numeric() }}) as cogs_amount,
        cast(r.gross_margin_amount as {{ dbt.type_numeric() }}) as gross_margin_amount,
        cast(r.cost_to_serve_amount as {{ dbt.type_numeric() }}) as cost_to_serve_amount,
        cast(r.net_profit_amount as {{ dbt.type_numeric() }}) as net_profit_amount,
        r.gross_margin_pct,
        r.cost_to_serve_pct,
        r.net_margin_pct,
        gm.split_pct as gross_margin_split_pct,
        cts.split_pct as cost_to_serve_split_pct,
        r.gross_margin_pct > gm.split_pct as is_high_gross_margin,
        r.cost_to_serve_pct > cts.split_pct as is_high_cost_to_serve,
        case
            when r.revenue_amount <= 0 then 'no_revenue'
            when r.gross_margin_pct > gm.split_pct and r.cost_to_serve_pct > cts.split_pct
                then 'carriage_trade'
            when r.gross_margin_pct > gm.split_pct then 'passive'
            when r.cost_to_serve_pct > cts.split_pct then 'aggressive'
            else 'bargain_basement'
        end as margin_cost_quadrant
    from ratios as r
    inner join customers as c on r.customer_id = c.customer_id
    cross join analysis_window as w
    cross join gross_margin_split as gm
    cross join cost_to_serve_split as cts
)

select * from final
