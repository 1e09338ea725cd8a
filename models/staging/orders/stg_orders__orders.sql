-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('orders', 'orders') }}
),

renamed as (
    select
        order_id,
        customer_id,
        order_date,
        channel,
        delivery_type,
        status,
        _load_id
    from source
)

select * from renamed
