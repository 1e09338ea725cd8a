-- How customers moved between the last two runs (docs/domain.md §9, step 9): class, loyalty
-- category and Whitney policy then and now, from fct_customer_snapshots. After the first
-- run every customer is `new`.
with snapshots as (
    select * from {{ ref('fct_customer_snapshots') }}
),

runs as (
    select
        snapshot_id,
        snapshot_at,
        row_number() over (order by snapshot_at desc, snapshot_id desc) as run_rank
    from (select distinct
        snapshot_id,
        snapshot_at
    from snapshots) as distinct_runs
),

current_run as (
    select s.*
    from snapshots as s
    inner join runs as r on s.snapshot_id = r.snapshot_id and r.run_rank = 1
),

previous_run as (
    select s.*
    from snapshots as s
    inner join runs as r on s.snapshot_id = r.snapshot_id and r.run_rank = 2
),

final as (
    select
        coalesce(c.customer_id, p.customer_id) as customer_id,
        p.snapshot_at as previous_snapshot_at,
        c.snapshot_at as current_snapshot_at,
        p.customer_class as previous_customer_class,
        c.customer_class as current_customer_class,
        p.loyalty_category as previous_loyalty_category,
        c.loyalty_category as current_loyalty_category,
        p.whitney_policy_code as previous_whitney_policy_code,
        c.whitney_policy_code as current_whitney_policy_code,
        p.net_profit_amount as previous_net_profit_amount,
        c.net_profit_amount as current_net_profit_amount,
        case
            when p.customer_id is null then 'new'
            when c.customer_id is null then 'gone'
            when c.customer_class <> p.customer_class then 'class_changed'
            when c.loyalty_category <> p.loyalty_category then 'loyalty_changed'
            else 'unchanged'
        end as migration_type
    from current_run as c
    full outer join previous_run as p on c.customer_id = p.customer_id
)

select * from final
