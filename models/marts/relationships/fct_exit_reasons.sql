-- Why customers leave (docs/domain.md §6, slide 13): the share of the lost customers who gave
-- an exit interview that named each reason (a customer may name several), next to the
-- course's figures. Every reason of seed exit_reasons appears, named or not.
with exit_interviews as (
    select * from {{ ref('stg_crm__exit_interviews') }}
),

exit_reasons as (
    select * from {{ ref('exit_reasons') }}
),

interviewed as (
    select count(distinct customer_id) as interviewed_customer_count from exit_interviews
),

named as (
    select
        reason,
        count(distinct customer_id) as naming_customer_count
    from exit_interviews
    group by reason
),

final as (
    select
        r.reason,
        r.reason_label,
        i.interviewed_customer_count,
        coalesce(n.naming_customer_count, 0) as naming_customer_count,
        case
            when i.interviewed_customer_count > 0
                then 100.0 * coalesce(n.naming_customer_count, 0) / i.interviewed_customer_count
        end as lost_customers_pct,
        r.course_lost_customers_pct
    from exit_reasons as r
    cross join interviewed as i
    left join named as n on r.reason = n.reason
)

select * from final
