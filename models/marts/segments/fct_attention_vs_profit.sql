-- Attention against profit per customer (docs/domain.md §2, slides 16 and 29). Energy suckers:
-- among the top 20% by attention, those in the lowest 20% by profit. Neglected
-- profitable: significant (large) and profitable, yet in the bottom 50% by attention.
-- The flags rank with ties sharing a place, so equal customers get equal flags.
{%- set top_share = var('concentration_top_pct') ~ ' / 100.0' %}
{%- set little_share = var('little_attention_bottom_pct') ~ ' / 100.0' %}
with ranked as (
    select * from {{ ref('int_customer_measures__ranked') }}
),

totals as (
    select
        sum(attention_minutes) as total_attention_minutes,
        sum(net_profit_amount) as total_net_profit_amount
    from ranked
),

shares as (
    select
        r.*,
        -- shares as doubles: a decimal share on Spark keeps too few digits for the ratio
        case
            when t.total_attention_minutes > 0
                then cast(r.attention_minutes as {{ type_double() }}) / t.total_attention_minutes
        end as attention_share,
        case
            when t.total_net_profit_amount > 0
                then cast(r.net_profit_amount as {{ type_double() }}) / t.total_net_profit_amount
        end as profit_share,
        rank() over (order by r.attention_minutes desc) as attention_rank_from_top,
        rank() over (order by r.attention_minutes asc) as attention_rank_from_bottom,
        rank() over (order by r.net_profit_amount asc) as profit_rank_from_bottom
    from ranked as r
    cross join totals as t
),

flagged as (
    select
        *,
        attention_minutes > 0
        and attention_rank_from_top <= floor(customer_count * {{ top_share }})
            as is_top_attention,
        profit_rank_from_bottom <= floor(customer_count * {{ top_share }}) as is_bottom_profit,
        attention_rank_from_bottom <= floor(customer_count * {{ little_share }})
            as is_little_attention
    from shares
),

final as (
    select
        customer_id,
        customer_name,
        attention_minutes,
        attention_share,
        attention_rank,
        cast(net_profit_amount as {{ dbt.type_numeric() }}) as net_profit_amount,
        profit_share,
        net_profit_rank,
        case
            when profit_share > 0 then attention_share / profit_share
        end as attention_to_profit_ratio,
        is_significant,
        net_profit_amount > 0 as is_profitable,
        is_top_attention,
        is_bottom_profit,
        is_little_attention,
        is_top_attention and is_bottom_profit as is_energy_sucker,
        is_significant and net_profit_amount > 0 and is_little_attention
            as is_neglected_profitable
    from flagged
)

select * from final
