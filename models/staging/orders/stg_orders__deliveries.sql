-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('orders', 'deliveries') }}
),

renamed as (
    select
        delivery_id,
        order_id,
        delivery_date,
        _load_id
    from source
)

select * from renamed
