-- One recommended action per customer (docs/domain.md §9, steps 7-8): the first rule of seed
-- customer_action_rules, by priority, that matches the customer's Whitney policy,
-- loyalty category and Kraljic quadrant (`*` matches anything); with the selling
-- strategy its Kraljic quadrant calls for (Rackham), and who is to act (the account
-- manager in the CRM).
with segments as (
    select * from {{ ref('fct_customer_segments') }}
),

loyalty as (
    select * from {{ ref('fct_customer_loyalty') }}
),

rules as (
    select * from {{ ref('customer_action_rules') }}
),

crm_customers as (
    select * from {{ ref('stg_crm__customers') }}
),

customers as (
    select
        s.customer_id,
        s.customer_name,
        s.customer_class,
        s.whitney_policy_code,
        s.kraljic_quadrant,
        s.rackham_selling_strategy,
        coalesce(l.loyalty_category, 'unknown') as loyalty_category,
        crm.account_manager
    from segments as s
    left join loyalty as l on s.customer_id = l.customer_id
    left join crm_customers as crm on s.customer_id = crm.customer_id
),

matched as (
    select
        c.*,
        r.priority as rule_priority,
        r.action_code,
        r.action,
        row_number() over (partition by c.customer_id order by r.priority) as match_rank
    from customers as c
    inner join rules as r
        on
            (r.whitney_policy_code = '*' or c.whitney_policy_code = r.whitney_policy_code)
            and (r.loyalty_category = '*' or c.loyalty_category = r.loyalty_category)
            and (r.kraljic_quadrant = '*' or c.kraljic_quadrant = r.kraljic_quadrant)
),

final as (
    select
        customer_id,
        customer_name,
        customer_class,
        whitney_policy_code,
        loyalty_category,
        kraljic_quadrant,
        rule_priority,
        action_code,
        action,
        rackham_selling_strategy,
        account_manager
    from matched
    where match_rank = 1
)

select * from final
