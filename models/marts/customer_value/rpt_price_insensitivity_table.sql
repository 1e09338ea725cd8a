-- The price-insensitivity effect (docs/domain.md §7, slide 127) as the course's table: for
-- each price increase p (%) and current net margin m (%), both from seed
-- price_scenarios, the rise in net profit at unchanged volume, p / m x 100, and the
-- volume the customer may lose before the increase stops paying, p / (m + p) x 100.
with scenarios as (
    select * from {{ ref('price_scenarios') }}
),

final as (
    select
        p.price_increase_pct,
        m.price_increase_pct as net_margin_pct,
        {{ profit_increase_pct('p.price_increase_pct', 'm.price_increase_pct') }}
            as profit_increase_pct,
        {{ break_even_volume_loss_pct('p.price_increase_pct', 'm.price_increase_pct') }}
            as break_even_volume_loss_pct
    from scenarios as p
    cross join scenarios as m
)

select * from final
