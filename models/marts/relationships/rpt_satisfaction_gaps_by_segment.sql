-- The wish profile of each segment (docs/domain.md §9, step 5): mean expectation, experience
-- and gap per dimension over the segment's surveyed customers, each customer counting
-- once. The segment is the customer class of fct_customer_segments; surveyed customers
-- without activity in the analysis window are `outside_window`.
with gaps as (
    select * from {{ ref('fct_satisfaction_gaps') }}
),

segments as (
    select * from {{ ref('fct_customer_segments') }}
),

final as (
    select
        coalesce(s.customer_class, 'outside_window') as customer_class,
        g.dimension,
        count(*) as customer_count,
        avg(g.expectation_score) as expectation_score,
        avg(g.experience_score) as experience_score,
        avg(g.gap_score) as gap_score
    from gaps as g
    left join segments as s on g.customer_id = s.customer_id
    group by coalesce(s.customer_class, 'outside_window'), g.dimension
)

select * from final
