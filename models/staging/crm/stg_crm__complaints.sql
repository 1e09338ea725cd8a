-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('crm', 'complaints') }}
),

renamed as (
    select
        complaint_id,
        customer_id,
        opened_date,
        closed_date,
        category,
        handling_minutes,
        _load_id
    from source
)

select * from renamed
