{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        full_refresh=false,
    )
}}
-- A dated snapshot of every customer's segment and key figures, one per run
-- (docs/domain.md §9, step 9): appended, never rebuilt (full_refresh=false), so segment
-- migration and KPI trends show between runs.
with segments as (
    select * from {{ ref('fct_customer_segments') }}
),

loyalty as (
    select * from {{ ref('fct_customer_loyalty') }}
),

profitability as (
    select * from {{ ref('fct_customer_profitability_window') }}
),

final as (
    select
        '{{ invocation_id }}' as snapshot_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
            as snapshot_at,
        p.analysis_end_date,
        s.customer_id,
        s.customer_class,
        s.whitney_policy_code,
        s.kraljic_quadrant,
        coalesce(l.loyalty_category, 'unknown') as loyalty_category,
        s.weighted_score,
        s.revenue_amount,
        s.net_profit_amount,
        p.cost_to_serve_amount
    from segments as s
    inner join profitability as p on s.customer_id = p.customer_id
    left join loyalty as l on s.customer_id = l.customer_id
)

select * from final
