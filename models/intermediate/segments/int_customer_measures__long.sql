-- The four measures of the 20/80 rules as rows: one per customer and measure, with the
-- customer's rank by that measure. Feeds the concentration marts.
{%- set measures = {
    'net_profit': ('net_profit_amount', 'net_profit_rank'),
    'revenue': ('revenue_amount', 'revenue_rank'),
    'complaints': ('complaint_count', 'complaint_rank'),
    'attention': ('attention_minutes', 'attention_rank'),
} %}
with ranked as (
    select * from {{ ref('int_customer_measures__ranked') }}
),

final as (
    {%- for measure, columns in measures.items() %}
    select
        '{{ measure }}' as measure,
        customer_id,
        customer_count,
        cast({{ columns[0] }} as {{ dbt.type_numeric() }}) as measure_amount,
        {{ columns[1] }} as measure_rank
    from ranked
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from final
