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
