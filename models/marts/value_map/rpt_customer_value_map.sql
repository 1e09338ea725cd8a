-- The Customer Value Map per segment (customer class; docs/domain.md §9): step 4 the segment's
-- size and profit, step 5 its wish profile (mean satisfaction gap per dimension), step 6
-- its channels (order share per channel; mono-, multi- and omnichannel customers),
-- steps 7-8 its most frequent recommended action, step 9 its loyalty mix and how many
-- customers entered or left it since the previous run.
{%- set dimensions = ['product', 'relationship', 'process', 'price'] %}
{%- set channels = ['field_sales', 'inside_sales', 'webshop', 'edi', 'phone'] %}
{%- set profiles = ['mono', 'multi', 'omni'] %}
{%- set loyalty_categories = [
    'apostle', 'loyalist', 'mercenary', 'hostage', 'terrorist', 'unknown'
] %}
with segments as (
    select * from {{ ref('fct_customer_segments') }}
),

gaps as (
    select * from {{ ref('rpt_satisfaction_gaps_by_segment') }}
),

channels as (
    select * from {{ ref('int_customer_channels') }}
),

actions as (
    select * from {{ ref('fct_customer_actions') }}
),

migration as (
    select * from {{ ref('fct_segment_migration') }}
),

size_and_profit as (
    select
        customer_class,
        count(*) as customer_count,
        sum(revenue_amount) as revenue_amount,
        sum(net_profit_amount) as net_profit_amount
    from segments
    group by customer_class
),

wish_profiles as (
    select
        customer_class,
        {%- for dimension in dimensions %}
        max(case when dimension = '{{ dimension }}' then gap_score end)
            as {{ dimension }}_gap_score,
        {%- endfor %}
        max(customer_count) as surveyed_customer_count
    from gaps
    group by customer_class
),

channel_mix as (
    select
        s.customer_class,
        {%- for channel in channels %}
        sum(c.{{ channel }}_order_count) as {{ channel }}_order_count,
        {%- endfor %}
        {%- for profile in profiles %}
        sum(case when c.channel_profile = '{{ profile }}' then 1 else 0 end)
            as {{ profile }}channel_customer_count,
        {%- endfor %}
        sum(c.order_count) as order_count
    from segments as s
    inner join channels as c on s.customer_id = c.customer_id
    group by s.customer_class
),

action_counts as (
    select
        customer_class,
        action_code,
        count(*) as action_customer_count,
        row_number() over (
            partition by customer_class order by count(*) desc, action_code
        ) as action_rank
    from actions
    group by customer_class, action_code
),

loyalty_mix as (
    select
        customer_class,
    {%- for category in loyalty_categories %}
    sum(case when loyalty_category = '{{ category }}' then 1 else 0 end)
        as {{ category }}_customer_count{{ "," if not loop.last }}
    {%- endfor %}
    from actions
    group by customer_class
),

movements as (
    select
        current_customer_class as customer_class,
        sum(
            case
                when
                    previous_customer_class is null
                    or previous_customer_class <> current_customer_class then 1
                else 0
            end
        ) as entered_customer_count
    from migration
    where current_customer_class is not null
    group by current_customer_class
),

departures as (
    select
        previous_customer_class as customer_class,
        sum(
            case
                when
                    current_customer_class is null
                    or current_customer_class <> previous_customer_class then 1
                else 0
            end
        ) as left_customer_count
    from migration
    where previous_customer_class is not null
    group by previous_customer_class
),

totals as (
    select
        sum(revenue_amount) as total_revenue_amount,
        sum(net_profit_amount) as total_net_profit_amount
    from size_and_profit
),

final as (
    select
        sp.customer_class,
        sp.customer_count,
        cast(sp.revenue_amount as {{ dbt.type_numeric() }}) as revenue_amount,
        cast(sp.net_profit_amount as {{ dbt.type_numeric() }}) as net_profit_amount,
        case
            when t.total_revenue_amount > 0
                then 100.0 * sp.revenue_amount / t.total_revenue_amount
        end as revenue_share_pct,
        case
            when t.total_net_profit_amount > 0
                then 100.0 * sp.net_profit_amount / t.total_net_profit_amount
        end as profit_share_pct,
        coalesce(w.surveyed_customer_count, 0) as surveyed_customer_count,
        {%- for dimension in dimensions %}
        w.{{ dimension }}_gap_score,
        {%- endfor %}
        {%- for channel in channels %}
        case
            when ch.order_count > 0 then 100.0 * ch.{{ channel }}_order_count / ch.order_count
        end as {{ channel }}_order_share_pct,
        {%- endfor %}
        {%- for profile in profiles %}
        coalesce(ch.{{ profile }}channel_customer_count, 0) as {{ profile }}channel_customer_count,
        {%- endfor %}
        a.action_code as top_action_code,
        a.action_customer_count as top_action_customer_count,
        {%- for category in loyalty_categories %}
        l.{{ category }}_customer_count,
        {%- endfor %}
        coalesce(m.entered_customer_count, 0) as entered_customer_count,
        coalesce(d.left_customer_count, 0) as left_customer_count
    from size_and_profit as sp
    cross join totals as t
    left join wish_profiles as w on sp.customer_class = w.customer_class
    left join channel_mix as ch on sp.customer_class = ch.customer_class
    left join action_counts as a on sp.customer_class = a.customer_class and a.action_rank = 1
    left join loyalty_mix as l on sp.customer_class = l.customer_class
    left join movements as m on sp.customer_class = m.customer_class
    left join departures as d on sp.customer_class = d.customer_class
)

select * from final
