{{ config(meta={"dagster": {"ref": {"name": "fct_customer_segments"}}}) }}
-- Every customer of the analysis window has exactly one row in the segments mart:
-- none dropped by a join, none doubled.
with window_customers as (
    select customer_id from {{ ref('fct_customer_profitability_window') }}
),

segments as (
    select
        customer_id,
        count(*) as segment_rows
    from {{ ref('fct_customer_segments') }}
    group by customer_id
)

select
    coalesce(w.customer_id, s.customer_id) as customer_id,
    coalesce(s.segment_rows, 0) as segment_rows
from window_customers as w
full outer join segments as s on w.customer_id = s.customer_id
where w.customer_id is null or s.segment_rows is null or s.segment_rows <> 1
