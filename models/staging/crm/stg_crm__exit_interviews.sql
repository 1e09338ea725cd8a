-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('crm', 'exit_interviews') }}
),

renamed as (
    select
        customer_id,
        interview_date,
        reason,
        notes,
        _load_id
    from source
)

select * from renamed
