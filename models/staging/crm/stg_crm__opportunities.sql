-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('crm', 'opportunities') }}
),

renamed as (
    select
        opportunity_id,
        customer_id,
        name as opportunity_name,
        stage,
        amount as opportunity_amount,
        created_date,
        close_date,
        status,
        _load_id
    from source
)

select * from renamed
