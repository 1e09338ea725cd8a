-- The 20/80 rules (docs/domain.md §2, slides 29-30): for each measure, the share of its total
-- that the top 20% of customers bring, ranked by that same measure. The top group is
-- floor(customers x 20%) customers; ties are broken by customer_id, which never changes
-- the share (tied customers bring the same amount).
with measures as (
    select * from {{ ref('int_customer_measures__long') }}
),

flagged as (
    select
        *,
        measure_rank <= floor(customer_count * {{ var('concentration_top_pct') }} / 100.0)
            as is_top_customer
    from measures
),

totals as (
    select
        measure,
        max(customer_count) as customer_count,
        sum(case when is_top_customer then 1 else 0 end) as top_customer_count,
        sum(measure_amount) as total_amount,
        sum(case when is_top_customer then measure_amount else 0 end) as top_customers_amount
    from flagged
    group by measure
),

final as (
    select
        measure,
        customer_count,
        cast({{ var('concentration_top_pct') }} as {{ dbt.type_float() }}) as top_customers_pct,
        top_customer_count,
        cast(total_amount as {{ dbt.type_numeric() }}) as total_amount,
        cast(top_customers_amount as {{ dbt.type_numeric() }}) as top_customers_amount,
        -- undefined when the measure's total is not positive (e.g. no complaints at all)
        case
            when total_amount > 0 then 100.0 * top_customers_amount / total_amount
        end as top_customers_share_pct
    from totals
)

select * from final
