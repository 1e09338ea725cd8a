-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('orders', 'order_lines') }}
),

renamed as (
    select
        order_id,
        line_number,
        product_id,
        quantity,
        unit_list_price,
        unit_net_price,
        _load_id
    from source
)

select * from renamed
