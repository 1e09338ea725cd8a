"""dbt's cross-database macros as DuckDB SQL, for sqlfluff's jinja templater (.sqlfluff).
Only the shape matters to the linter: each returns an expression of the right kind."""


def type_numeric():
    return "numeric(28, 6)"


def type_int():
    return "integer"


def type_float():
    return "float"


def type_string():
    return "varchar"


def type_timestamp():
    return "timestamp"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + (interval ({interval}) {datepart}))"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def concat(fields):
    return f"concat({', '.join(fields)})"


def date_spine(datepart, start_date, end_date):
    return (
        f"select unnest(generate_series({start_date}, {end_date}, interval 1 {datepart}))"
        f" as date_{datepart}"
    )
