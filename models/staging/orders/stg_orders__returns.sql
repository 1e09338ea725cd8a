-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('orders', 'returns') }}
),

renamed as (
    select
        return_id,
        order_id,
        line_number,
        return_date,
        quantity as returned_quantity,
        reason as return_reason,
        _load_id
    from source
)

select * from renamed
