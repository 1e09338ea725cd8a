-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('costs', 'products') }}
),

renamed as (
    select
        product_id,
        product_name,
        category,
        unit_standard_cost as unit_standard_cost_amount,
        _load_id
    from source
)

select * from renamed
