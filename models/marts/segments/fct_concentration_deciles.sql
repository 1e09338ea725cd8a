-- The Pareto table behind the 20/80 rules, for charts: customers ranked by each measure
-- (highest first, ties by customer_id) and cut into deciles; decile d holds the
-- customers whose rank / customer count lies in ((d-1)/10, d/10].
with measures as (
    select * from {{ ref('int_customer_measures__long') }}
),

deciles as (
    select
        measure,
        cast(ceiling(10.0 * measure_rank / customer_count) as {{ dbt.type_int() }}) as decile,
        customer_count as total_customer_count,
        measure_rank,
        measure_amount,
        sum(measure_amount) over (partition by measure) as total_amount
    from measures
),

per_decile as (
    select
        measure,
        decile,
        count(*) as customer_count,
        max(measure_rank) as last_rank,
        max(total_customer_count) as total_customer_count,
        sum(measure_amount) as measure_amount,
        max(total_amount) as total_amount
    from deciles
    group by measure, decile
),

cumulative as (
    select
        *,
        sum(measure_amount) over (
            partition by measure
            order by decile
            rows between unbounded preceding and current row
        ) as cumulative_amount
    from per_decile
),

final as (
    select
        measure,
        decile,
        customer_count,
        round(100.0 * last_rank / total_customer_count, 4) as cumulative_customer_pct,
        cast(measure_amount as {{ dbt.type_numeric() }}) as measure_amount,
        cast(cumulative_amount as {{ dbt.type_numeric() }}) as cumulative_amount,
        case when total_amount > 0 then 100.0 * measure_amount / total_amount end as share_pct,
        case
            when total_amount > 0 then 100.0 * cumulative_amount / total_amount
        end as cumulative_share_pct
    from cumulative
)

select * from final
