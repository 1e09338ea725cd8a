-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('crm', 'contacts') }}
),

renamed as (
    select
        contact_id,
        customer_id,
        full_name,
        email,
        phone,
        job_title,
        _load_id
    from source
)

select * from renamed
