-- The price-insensitivity effect per segment (customer class) and scenario (docs/domain.md §7):
-- the segment's net margin, the profit increase at unchanged volume p / m x 100, the
-- break-even volume loss p / (m + p), and the expected profit effect: the sum of its
-- customers' effects under their loyalty category's volume response.
{# the margin as a double: on Spark a decimal quotient keeps 6 digits, and a small margin divides #}
{% set net_margin = '100.0 * cast(net_profit_amount as ' ~ type_double() ~ ') / revenue_amount' %}
with effects as (
    select * from {{ ref('fct_price_insensitivity') }}
),

segments as (
    select * from {{ ref('fct_customer_segments') }}
),

per_segment as (
    select
        s.customer_class,
        e.price_increase_pct,
        count(*) as customer_count,
        sum(e.revenue_amount) as revenue_amount,
        sum(e.net_profit_amount) as net_profit_amount,
        sum(e.expected_net_profit_amount) as expected_net_profit_amount,
        sum(e.expected_profit_effect_amount) as expected_profit_effect_amount
    from effects as e
    inner join segments as s on e.customer_id = s.customer_id
    group by s.customer_class, e.price_increase_pct
),

final as (
    select
        customer_class,
        price_increase_pct,
        customer_count,
        cast(revenue_amount as {{ dbt.type_numeric() }}) as revenue_amount,
        cast(net_profit_amount as {{ dbt.type_numeric() }}) as net_profit_amount,
        {{ net_margin }} as net_margin_pct,
        case
            when net_profit_amount > 0
                then {{ profit_increase_pct('price_increase_pct', net_margin) }}
        end as profit_increase_pct,
        case
            when net_profit_amount > 0
                then {{ break_even_volume_loss_pct('price_increase_pct', net_margin) }}
        end as break_even_volume_loss_pct,
        expected_net_profit_amount,
        expected_profit_effect_amount
    from per_segment
)

select * from final
