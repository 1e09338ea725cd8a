-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('crm', 'activities') }}
),

renamed as (
    select
        activity_id as crm_activity_id,
        customer_id,
        contact_id,
        activity_type,
        activity_date,
        duration_minutes,
        employee_role,
        _load_id
    from source
)

select * from renamed
