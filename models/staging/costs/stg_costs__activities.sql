-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('costs', 'activities') }}
),

renamed as (
    select
        activity_id as cost_activity_id,
        activity_name as cost_activity_name,
        pool_id,
        driver,
        unit_minutes,
        pool_share,
        _load_id
    from source
)

select * from renamed
