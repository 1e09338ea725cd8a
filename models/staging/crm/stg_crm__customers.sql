-- Generated from valuemap/contract.py by `python -m valuemap.dbt_staging`; do not edit.
with source as (
    select * from {{ source('crm', 'customers') }}
),

renamed as (
    select
        customer_id,
        customer_name,
        country,
        industry,
        account_manager,
        created_date,
        referred_by_customer_id,
        sales_potential as sales_potential_amount,
        strategic_learning,
        strategic_reputation,
        strategic_bridgehead,
        strategic_network,
        strategic_ambassador,
        synergy_culture,
        synergy_relationship,
        kraljic_impact,
        kraljic_replaceability,
        _load_id
    from source
)

select * from renamed
