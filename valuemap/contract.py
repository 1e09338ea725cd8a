"""The landing data contract (docs/contract.md), as data.

This module is the one place the contract lives: the loader enforces it (and is the only
place a contract rule is checked), the demo generator follows it, and the dbt sources and
staging models (`python -m valuemap.dbt_staging`) are generated from it, so none can drift
apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column types of the contract, with the DuckDB type the raw layer stores them as.
RAW_TYPES = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "date": "DATE",
    "int": "BIGINT",
    "decimal": "DECIMAL(18,4)",
    "score": "INTEGER",
    "enum": "VARCHAR",
    "period": "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a key of RAW_TYPES
    description: str
    nullable: bool = False
    low: float | None = None  # inclusive bounds for score and numbers
    high: float | None = None
    low_exclusive: bool = False  # "quantity > 0"
    values: tuple[str, ...] = ()  # enum values, lower case
    future_allowed: bool = False  # dates: an event that lies ahead (an expected close date)

    @property
    def raw_type(self) -> str:
        return RAW_TYPES[self.type]


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    parent: str  # "<source>/<table>"
    parent_columns: tuple[str, ...]
    message: str  # e.g. "unknown customer"


@dataclass(frozen=True)
class RowRule:
    """A rule that relates rows, checked on the state after every load (valuemap/held.py):
    a correction that breaks it on a later night is caught as well as a new row.
    `sql` selects the rowids of the offending rows of `_rule_rows` (the table's rows with
    `sql` selects the key of each offending row of the raw table and a reason that names
    the rows involved; it reads only the groups of rows (a line's returns, a pool's
    activities) with a row loaded after load `{since}`, and may call `_row_of(load_id,
    row_number)` for a row's file and line."""

    column: str
    message: str
    sql: str


@dataclass(frozen=True)
class Table:
    source: str
    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default=())
    rules: tuple[RowRule, ...] = field(default=())

    @property
    def path(self) -> str:
        return f"{self.source}/{self.name}"

    @property
    def raw_name(self) -> str:
        """Table name in the `raw` schema, e.g. `crm__customers`."""
        return f"{self.source}__{self.name}"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _id(name: str, description: str, nullable: bool = False) -> Column:
    return Column(name, "id", description, nullable)


def _text(name: str, description: str, nullable: bool = False) -> Column:
    return Column(name, "text", description, nullable)


def _date(name: str, description: str, nullable: bool = False) -> Column:
    return Column(name, "date", description, nullable)


def _score(name: str, low: int, high: int, description: str, nullable: bool = False) -> Column:
    return Column(name, "score", description, nullable, low=low, high=high)


def _enum(name: str, values: str, description: str) -> Column:
    return Column(name, "enum", description, values=tuple(values.split()))


def _customer_fk() -> ForeignKey:
    return ForeignKey(("customer_id",), "crm/customers", ("customer_id",), "unknown customer")


_STRATEGIC = (
    ("strategic_learning", "learning effect"),
    ("strategic_reputation", "reputation effect"),
    ("strategic_bridgehead", "bridgehead effect (entry to new markets)"),
    ("strategic_network", "network effect"),
    ("strategic_ambassador", "ambassador effect"),
)

TABLES: tuple[Table, ...] = (
    # costs/ first: order lines refer to products.
    Table(
        "costs",
        "products",
        "One row per product, with its standard cost.",
        ("product_id",),
        (
            _id("product_id", "Product identifier."),
            _text("product_name", "Product name."),
            _text("category", "Product category.", nullable=True),
            Column("unit_standard_cost", "decimal", "Standard cost of one unit (COGS).", low=0),
        ),
    ),
    Table(
        "costs",
        "resource_pools",
        "One row per cost pool and month: the pool's cost from the general ledger.",
        ("period", "pool_id"),
        (
            Column("period", "period", "Month of the cost, `YYYY-MM`."),
            _id("pool_id", "Cost pool identifier."),
            _text("pool_name", "Cost pool name."),
            Column("cost_amount", "decimal", "Cost of the pool in the month (>= 0).", low=0),
            Column(
                "practical_capacity_minutes",
                "decimal",
                "Practical capacity of the pool in minutes; present means the pool is costed"
                " time-driven.",
                nullable=True,
                low=0,
                low_exclusive=True,
            ),
        ),
    ),
    Table(
        "costs",
        "activities",
        "One row per activity: the pool it draws on and its cost driver.",
        ("activity_id",),
        (
            _id("activity_id", "Activity identifier."),
            _text("activity_name", "Activity name."),
            _id("pool_id", "Cost pool the activity draws on."),
            _enum(
                "driver",
                "orders order_lines deliveries rush_orders returns visits call_minutes"
                " meeting_minutes service_minutes complaints complaint_minutes customers none",
                "Cost driver; `none` marks a facility-sustaining activity (never allocated).",
            ),
            Column(
                "unit_minutes",
                "decimal",
                "Time-driven: minutes per driver unit.",
                nullable=True,
                low=0,
            ),
            Column(
                "pool_share",
                "decimal",
                "Conventional: share of the pool's cost this activity takes (0-1).",
                nullable=True,
                low=0,
                high=1,
            ),
        ),
        (ForeignKey(("pool_id",), "costs/resource_pools", ("pool_id",), "unknown pool"),),
        (
            RowRule(
                "pool_share",
                "pool shares add up to more than 1",
                # every activity of the pool is held: which share is wrong is not known
                """
                with shares as (
                    select
                        activity_id, pool_id,
                        sum(pool_share) over (partition by pool_id) as total_share,
                        string_agg(activity_id || ' ' || cast(pool_share as varchar)
                            || ' (' || _row_of(_load_id, _row_number) || ')', ', ')
                            over (partition by pool_id) as shares
                    from raw.costs__activities
                    where pool_share is not null and pool_id in (
                        select pool_id from raw.costs__activities where _load_id > {since}
                    )
                )
                select
                    activity_id,
                    'pool shares add up to more than 1: those of pool ' || pool_id
                    || ' add up to ' || cast(total_share as varchar) || ': ' || shares
                from shares
                where total_share > 1
                """,
            ),
        ),
    ),
    Table(
        "crm",
        "customers",
        "One row per customer, with the CRM's strategic, synergy and Kraljic scores.",
        ("customer_id",),
        (
            _id("customer_id", "Customer identifier."),
            _text("customer_name", "Customer (company) name."),
            _text("country", "Country.", nullable=True),
            _text("industry", "Industry.", nullable=True),
            _text("account_manager", "Responsible account manager.", nullable=True),
            _date("created_date", "Date the customer was created (acquisition)."),
            _id("referred_by_customer_id", "Customer who referred this one.", nullable=True),
            Column(
                "sales_potential",
                "decimal",
                "Estimated yearly wallet of the customer.",
                nullable=True,
                low=0,
            ),
            *(_score(n, 0, 5, f"Strategic importance: {d}, 0-5.", True) for n, d in _STRATEGIC),
            _score("synergy_culture", 0, 5, "Relational synergy: culture/values fit, 0-5.", True),
            _score(
                "synergy_relationship", 0, 5, "Relational synergy: relationship quality, 0-5.", True
            ),
            _score(
                "kraljic_impact", 1, 5, "Impact of our offer on the customer's result, 1-5.", True
            ),
            _score(
                "kraljic_replaceability",
                1,
                5,
                "Difficulty for the customer to replace us, 1-5.",
                True,
            ),
        ),
        (
            ForeignKey(
                ("referred_by_customer_id",),
                "crm/customers",
                ("customer_id",),
                "unknown referring customer",
            ),
        ),
    ),
    Table(
        "crm",
        "contacts",
        "One row per contact person at a customer. Holds PII: never published.",
        ("contact_id",),
        (
            _id("contact_id", "Contact identifier."),
            _id("customer_id", "Customer the contact works for."),
            _text("full_name", "Full name (PII)."),
            _text("email", "E-mail address (PII).", nullable=True),
            _text("phone", "Phone number (PII).", nullable=True),
            _text("job_title", "Job title.", nullable=True),
        ),
        (_customer_fk(),),
    ),
    Table(
        "crm",
        "activities",
        "One row per CRM activity (visit, call, ...) with a customer.",
        ("activity_id",),
        (
            _id("activity_id", "CRM activity identifier."),
            _id("customer_id", "Customer the activity was for."),
            _id("contact_id", "Contact involved.", nullable=True),
            _enum(
                "activity_type",
                "visit call email meeting quote service other",
                "Kind of activity.",
            ),
            _date("activity_date", "Date of the activity."),
            Column("duration_minutes", "int", "Duration in minutes.", low=0),
            _enum(
                "employee_role",
                "director account_manager inside_sales rnd service other",
                "Role of the employee who did it.",
            ),
        ),
        (_customer_fk(),),
    ),
    Table(
        "crm",
        "complaints",
        "One row per complaint.",
        ("complaint_id",),
        (
            _id("complaint_id", "Complaint identifier."),
            _id("customer_id", "Customer who complained."),
            _date("opened_date", "Date the complaint was opened."),
            _date("closed_date", "Date the complaint was closed.", nullable=True),
            _text("category", "Complaint category.", nullable=True),
            Column("handling_minutes", "int", "Minutes spent handling it.", low=0),
        ),
        (_customer_fk(),),
    ),
    Table(
        "crm",
        "surveys",
        "One row per survey answer: a customer's expectation and experience on one dimension.",
        ("response_id",),
        (
            _id("response_id", "Survey response identifier."),
            _id("customer_id", "Customer who answered."),
            _id("contact_id", "Contact who answered.", nullable=True),
            _date("survey_date", "Date of the survey."),
            _enum("dimension", "product relationship process price overall", "Dimension."),
            _score("expectation", 1, 5, "Expectation, 1-5."),
            _score("experience", 1, 5, "Experience, 1-5."),
            _score("repurchase_intent", 1, 5, "Intent to buy again, 1-5.", True),
            _score("recommend", 0, 10, "Would recommend us, 0-10.", True),
        ),
        (_customer_fk(),),
    ),
    Table(
        "crm",
        "exit_interviews",
        "One row per reason a lost customer gave in an exit interview.",
        ("customer_id", "reason"),
        (
            _id("customer_id", "Lost customer."),
            _date("interview_date", "Date of the interview."),
            _enum(
                "reason",
                "no_attention no_initiative broken_agreements not_expert no_thinking_along"
                " unfair_treatment price other",
                "Reason for leaving.",
            ),
            _text("notes", "Free-text notes.", nullable=True),
        ),
        (_customer_fk(),),
    ),
    Table(
        "crm",
        "opportunities",
        "One row per sales opportunity.",
        ("opportunity_id",),
        (
            _id("opportunity_id", "Opportunity identifier."),
            _id("customer_id", "Customer."),
            _text("name", "Opportunity name."),
            _text("stage", "Sales stage."),
            Column("amount", "decimal", "Expected amount.", nullable=True),
            _date("created_date", "Date created."),
            Column(
                "close_date",
                "date",
                "Date closed, or expected to close.",
                True,
                future_allowed=True,
            ),
            _enum("status", "open won lost", "Status."),
        ),
        (_customer_fk(),),
    ),
    Table(
        "crm",
        "buying_center",
        "One row per opportunity and contact: the contact's role in the buying center.",
        ("opportunity_id", "contact_id"),
        (
            _id("opportunity_id", "Opportunity."),
            _id("contact_id", "Contact."),
            _enum("influence_role", "economic technical user coach", "Influence role."),
            _enum("response_mode", "growth trouble even_keel overconfident", "Response mode."),
            _score("business_result", -2, 2, "Business result the proposal gives, -2..2."),
            _score("personal_benefit", -2, 2, "Personal benefit the proposal gives, -2..2."),
            _score("power", 1, 5, "Power in the decision, 1-5."),
            _score("risk_perception", 1, 5, "Risk perception, 1-5."),
            _date("assessed_date", "Date of the assessment."),
        ),
        (
            ForeignKey(
                ("opportunity_id",),
                "crm/opportunities",
                ("opportunity_id",),
                "unknown opportunity",
            ),
            ForeignKey(("contact_id",), "crm/contacts", ("contact_id",), "unknown contact"),
        ),
    ),
    Table(
        "orders",
        "orders",
        "One row per order.",
        ("order_id",),
        (
            _id("order_id", "Order identifier."),
            _id("customer_id", "Customer who ordered."),
            _date("order_date", "Order date."),
            _enum("channel", "field_sales inside_sales webshop edi phone", "Order channel."),
            _enum("delivery_type", "standard rush", "Requested delivery type."),
            _enum("status", "completed cancelled", "Order status."),
        ),
        (_customer_fk(),),
    ),
    Table(
        "orders",
        "order_lines",
        "One row per order line.",
        ("order_id", "line_number"),
        (
            _id("order_id", "Order."),
            Column("line_number", "int", "Line number within the order.", low=0),
            _id("product_id", "Product ordered."),
            Column("quantity", "decimal", "Quantity ordered (> 0).", low=0, low_exclusive=True),
            Column("unit_list_price", "decimal", "List price per unit.", low=0),
            Column("unit_net_price", "decimal", "Net (invoiced) price per unit.", low=0),
        ),
        (
            ForeignKey(("order_id",), "orders/orders", ("order_id",), "unknown order"),
            ForeignKey(("product_id",), "costs/products", ("product_id",), "unknown product"),
        ),
    ),
    Table(
        "orders",
        "deliveries",
        "One row per delivery (shipment) of an order.",
        ("delivery_id",),
        (
            _id("delivery_id", "Delivery identifier."),
            _id("order_id", "Order delivered."),
            _date("delivery_date", "Delivery date."),
        ),
        (ForeignKey(("order_id",), "orders/orders", ("order_id",), "unknown order"),),
    ),
    Table(
        "orders",
        "returns",
        "One row per return of (part of) an order line; returns are credited.",
        ("return_id",),
        (
            _id("return_id", "Return identifier."),
            _id("order_id", "Order of the returned line."),
            Column("line_number", "int", "Line number of the returned line.", low=0),
            _date("return_date", "Date of the return."),
            Column("quantity", "decimal", "Quantity returned (> 0).", low=0, low_exclusive=True),
            _text("reason", "Return reason.", nullable=True),
        ),
        (
            ForeignKey(
                ("order_id", "line_number"),
                "orders/order_lines",
                ("order_id", "line_number"),
                "unknown order line",
            ),
        ),
        (
            RowRule(
                "quantity",
                "return larger than the sold quantity",
                # A line's returns are counted in date order (then return id): the one that
                # takes them past the sold quantity is held, and so is every later one.
                """
                with lines_changed as (
                    select order_id, line_number from raw.orders__returns where _load_id > {since}
                    union
                    -- only lines with returns: a first load brings every line (50M at 1M
                    -- customers), whose distinct keys would not fit in the memory limit
                    select l.order_id, l.line_number from raw.orders__order_lines as l
                    semi join raw.orders__returns as r
                        on r.order_id = l.order_id and r.line_number = l.line_number
                    where l._load_id > {since}
                ),
                counted as (
                    select
                        r.return_id, r.order_id, r.line_number, r._load_id, r._row_number,
                        l.quantity as sold, l._load_id as line_load_id,
                        l._row_number as line_row_number,
                        sum(r.quantity) over (
                            partition by r.order_id, r.line_number
                            order by r.return_date, r.return_id
                        ) as returned
                    from raw.orders__returns as r
                    semi join lines_changed as c
                        on c.order_id = r.order_id and c.line_number = r.line_number
                    inner join raw.orders__order_lines as l
                        on l.order_id = r.order_id and l.line_number = r.line_number
                )
                select
                    return_id,
                    'return larger than the sold quantity: returns of order ' || order_id
                    || ' line ' || line_number || ' add up to ' || cast(returned as varchar)
                    || ' with this one, ' || cast(sold as varchar) || ' sold (the line: '
                    || _row_of(line_load_id, line_row_number) || ')'
                from counted
                where returned > sold
                """,
            ),
        ),
    ),
)

TABLES_BY_PATH = {t.path: t for t in TABLES}

# Columns the loader adds to every raw table: (name, DuckDB type, description).
LOAD_COLUMNS = (
    ("_load_id", "integer not null", "The load that brought the row (raw._load_log)."),
    ("_row_number", "bigint not null", "The row's record number in its landing file."),
    (
        "_extra_columns",
        "varchar",
        "Columns of the file that the contract does not name, as JSON; null when none.",
    ),
)
SOURCES = ("crm", "orders", "costs")
