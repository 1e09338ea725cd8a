-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('costs', 'resource_pools') }}
),

renamed as (
    select
        period,
        pool_id,
        pool_name,
        cost_amount,
        practical_capacity_minutes,
        cast({{ dbt.concat(['period', "'-01'"]) }} as date) as period_start_date,
        _load_id
    from source
)

select * from renamed
