{{ config(meta={"dagster": {"ref": {"name": "resource_categories"}}}) }}
-- The classes share all account-management attention between them: their budget
-- shares (seed resource_categories) add up to 1.
select sum(attention_budget_share) as total_share
from {{ ref('resource_categories') }}
having abs(sum(attention_budget_share) - 1) > 0.000001
