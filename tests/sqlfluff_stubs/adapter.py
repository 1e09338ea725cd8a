"""dbt's `adapter` for sqlfluff's jinja templater: dispatch returns a placeholder (a value, or
a select for the macros in STATEMENTS)."""

# Dispatched macros that stand for a whole select, not a value (macros/day_spine.sql).
STATEMENTS = {
    "day_spine": lambda start, end: (
        f"select unnest(generate_series({start}, {end}, interval 1 day)) as date_day"
    ),
}


def dispatch(macro_name, macro_namespace=None):
    return STATEMENTS.get(macro_name, lambda *args, **kwargs: "null")


def get_relation(database=None, schema=None, identifier=None):
    return None


def get_columns_in_relation(relation):
    return []


def convert_type(table, index):
    return "varchar"


def add_query(*args, **kwargs):
    return None
