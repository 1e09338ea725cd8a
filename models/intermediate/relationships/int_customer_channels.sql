-- How each customer ordered in the analysis window (docs/domain.md §9, step 6): completed
-- orders per channel, and its channel profile: one channel = mono, two or more = multi,
-- var `omnichannel_min_channels` (3) or more = omni.
{%- set channels = ['field_sales', 'inside_sales', 'webshop', 'edi', 'phone'] %}
with orders as (
    select * from {{ ref('stg_orders__orders') }}
),

analysis_window as (
    select * from {{ ref('int_analysis_window') }}
),

window_orders as (
    select
        o.customer_id,
        o.channel
    from orders as o
    cross join analysis_window as w
    where o.status = 'completed' and o.order_date between w.start_date and w.end_date
),

final as (
    select
        customer_id,
        count(*) as order_count,
        {%- for channel in channels %}
        sum(case when channel = '{{ channel }}' then 1 else 0 end) as {{ channel }}_order_count,
        {%- endfor %}
        count(distinct channel) as channel_count,
        case
            when count(distinct channel) >= {{ var('omnichannel_min_channels') }} then 'omni'
            when count(distinct channel) >= 2 then 'multi'
            else 'mono'
        end as channel_profile
    from window_orders
    group by customer_id
)

select * from final
