-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('crm', 'buying_center') }}
),

renamed as (
    select
        opportunity_id,
        contact_id,
        influence_role,
        response_mode,
        business_result,
        personal_benefit,
        power,
        risk_perception,
        assessed_date,
        _load_id
    from source
)

select * from renamed
