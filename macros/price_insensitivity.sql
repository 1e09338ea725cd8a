{#
    The price-insensitivity effect (docs/domain.md §7, slide 127), in one place for the three
    marts that show it. With volume unchanged, a price rise p on a net margin m (both in
    the same unit, e.g. %) raises net profit by p / m x 100 %; the customer may buy
    p / (m + p) x 100 % less before the rise stops paying.
    Arguments are SQL expressions; each is bracketed, so any expression may be passed.
#}
{% macro profit_increase_pct(price_increase, net_margin) -%}
    100.0 * ({{ price_increase }}) / ({{ net_margin }})
{%- endmacro %}

{% macro break_even_volume_loss_pct(price_increase, net_margin) -%}
    100.0 * ({{ price_increase }}) / (({{ net_margin }}) + ({{ price_increase }}))
{%- endmacro %}

{#
    The expected volume change of a price rise, as a share (-0.02 = 2% less), for a
    customer whose loyalty category loses `volume_loss_pct_per_price_pct` % of volume per
    % of price (seed loyalty_volume_responses); never below -100%.
#}
{% macro expected_volume_change_share(volume_loss_pct_per_price_pct, price_increase_pct) -%}
    0 - least(({{ volume_loss_pct_per_price_pct }}) * ({{ price_increase_pct }}), 100) / 100.0
{%- endmacro %}
