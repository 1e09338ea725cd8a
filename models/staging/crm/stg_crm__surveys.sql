-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('crm', 'surveys') }}
),

renamed as (
    select
        response_id,
        customer_id,
        contact_id,
        survey_date,
        dimension,
        expectation,
        experience,
        repurchase_intent,
        recommend,
        _load_id
    from source
)

select * from renamed
