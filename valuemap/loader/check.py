"""Check: every value of a read file typed exactly as written or rejected with its line,
column and reason, against the contract (valuemap/contract.py); rows whose only fault
is a missing reference are held (valuemap/held.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from valuemap.contract import Column, Table
from valuemap.held import missing_references
from valuemap.loader.find import Dialect
from valuemap.sql import quote_identifier as _quote
from valuemap.sql import quote_literal as _literal

# The raw precision of a decimal (contract.RAW_TYPES: DECIMAL(18,4)).
DECIMAL_DIGITS, DECIMAL_PLACES = 14, 4
# The most digits a whole number of each raw type always holds.
WHOLE_DIGITS = {"BIGINT": 18, "INTEGER": 9}


@dataclass
class _Rules:
    """How one contract column is typed and checked: SQL over the column's trimmed text
    (`text`, null when empty) and its typed value (`value`), each computed once per row."""

    typed: str  # SQL of the typed value, from `text`
    checks: list[tuple[str, str]]  # (condition that is an error, reason), in order
    # A condition on `text` under which `checks` cannot fail: the common case (a plain
    # number) meets only `ranges`; a value that misses it meets `checks`, then `ranges`.
    fast: str | None = None
    ranges: list[tuple[str, str]] = field(default_factory=list)


def _number(column: Column, text: str, value: str, dialect: Dialect) -> _Rules:
    """A number column: the text must be a number as the dialect writes them (its decimal
    mark; a thousands separator only where the dialect names one, grouping three
    digits), a whole number for int and score (a zero fraction is fine), and a decimal
    within the raw precision. Nothing is rounded."""
    decimal, thousands = re.escape(dialect.decimal), re.escape(dialect.thousands)
    digits = rf"(\d{{1,3}}({thousands}\d{{3}})+|\d+)" if dialect.thousands else r"\d+"
    shape = rf"[+-]?{digits}({decimal}\d+)?"
    plain = text
    if dialect.thousands:
        plain = f"replace({plain}, {_literal(dialect.thousands)}, '')"
    if dialect.decimal != ".":
        plain = f"replace({plain}, {_literal(dialect.decimal)}, '.')"
    written = f"(decimal {dialect.decimal!r}, thousands separator " + (
        f"{dialect.thousands!r})" if dialect.thousands else "none; see dialect.json)"
    )
    whole = "a whole number" if column.type != "decimal" else "a number"
    checks = [(f"not regexp_full_match({text}, {_literal(shape)})", f"not {whole} {written}")]
    if column.type == "decimal":
        integer_part = f"ltrim(split_part(ltrim({plain}, '+-'), '.', 1), '0')"
        fraction = f"rtrim(split_part({plain}, '.', 2), '0')"
        checks += [
            (
                f"length({integer_part}) > {DECIMAL_DIGITS}",
                f"too large: more than {DECIMAL_DIGITS} digits before the decimal mark",
            ),
            (
                f"length({fraction}) > {DECIMAL_PLACES}",
                f"more than {DECIMAL_PLACES} decimals: it would be rounded",
            ),
        ]
        typed = f"try_cast({plain} as {column.raw_type})"
        fast = rf"[+-]?\d{{1,{DECIMAL_DIGITS}}}({decimal}\d{{1,{DECIMAL_PLACES}}})?"
    else:
        checks += [
            (
                f"rtrim(split_part({plain}, '.', 2), '0') <> ''",
                "not a whole number: the fraction would be rounded",
            ),
            (f"{value} is null", "too large"),
        ]
        typed = f"try_cast(split_part({plain}, '.', 1) as {column.raw_type})"
        fast = rf"[+-]?\d{{1,{WHOLE_DIGITS[column.raw_type]}}}"
    return _Rules(typed, checks, f"regexp_full_match({text}, {_literal(fast)})")


def _rules(column: Column, text: str, value: str, dialect: Dialect) -> _Rules:
    """`text` names the column's trimmed text, `value` its typed value."""
    if column.type in ("id", "text"):
        return _Rules(text, [])
    if column.type == "enum":
        allowed = ", ".join(_literal(v) for v in column.values)
        return _Rules(
            f"lower({text})",
            [(f"{value} not in ({allowed})", f"not one of: {', '.join(column.values)}")],
        )
    if column.type == "period":
        return _Rules(
            text,
            [
                (
                    f"not regexp_full_match({text}, '\\d{{4}}-(0[1-9]|1[0-2])')",
                    "not a period YYYY-MM",
                )
            ],
        )
    if column.type == "date":
        fmt, shape = Dialect.DATE_FORMATS[dialect.date_format]
        checks = [(f"{value} is null", f"not a date {dialect.date_format}")]
        if not column.future_allowed:
            # a day of slack for exports written in another time zone
            checks.append((f"{value} > current_date + 1", "in the future"))
        return _Rules(
            f"case when regexp_full_match({text}, '{shape}')"
            f" then cast(try_strptime({text}, '{fmt}') as date) end",
            checks,
        )
    # int, decimal, score: exactly as written, or rejected
    rules = _number(column, text, value, dialect)
    if column.low is not None:
        op, word = ("<=", ">") if column.low_exclusive else ("<", ">=")
        rules.ranges.append(
            (f"{value} {op} {column.low:g}", f"out of range: must be {word} {column.low:g}")
        )
    if column.high is not None:
        rules.ranges.append(
            (f"{value} > {column.high:g}", f"out of range: must be <= {column.high:g}")
        )
    return rules


def _error(column: Column, text: str, rules: _Rules) -> str:
    """SQL for a column's error: null when the value is fine, else the first reason."""

    def branches(checks: list[tuple[str, str]]) -> str:
        return " ".join(f"when {cond} then {_literal(reason)}" for cond, reason in checks)

    missing = "'missing required value'" if not column.nullable else "null"
    fast = ""
    if rules.fast:
        ranges = f"case {branches(rules.ranges)} end" if rules.ranges else "null"
        fast = f"when {rules.fast} then {ranges}"
    every = branches(rules.checks + rules.ranges)
    return f"case when {text} is null then {missing} {fast} {every} end"


def _trimmed(value: str) -> str:
    """SQL for a value without the spaces around it, null when empty. DuckDB's trim
    takes Unicode spaces, which are not ASCII; most values are ASCII without a space at
    either end and skip it (on 16M ids: 0.5 s for this expression, 0.8 s with trim)."""
    return (
        f"nullif(case when {value} like ' %' or {value} like '% '"
        f" or strlen({value}) <> length({value}) then trim({value}) else {value} end, '')"
    )


def checked_select(
    con: duckdb.DuckDBPyConnection, table: Table, columns: dict[str, str], dialect: Dialect
) -> str:
    """The select that types and checks `_src` (all text, a view of the file): per
    contract column its typed value, its error (null when the value is fine) and, for a
    rejected value only, the text as written (`_raw_<name>`). Four projections, so that
    each value is trimmed once and typed once however many checks read it (DuckDB does
    not share an expression between the branches of a case)."""
    texts, typed, errors, checked = [], ["*"], ["*"], []
    for column in table.columns:
        source_name = columns.get(column.name)
        text, value = _quote("text:" + column.name), _quote("typed:" + column.name)
        error = _quote("_err_" + column.name)
        source = _trimmed(_quote(source_name)) if source_name else "cast(null as varchar)"
        rules = _rules(column, text, value, dialect)
        texts.append(f"{source} as {text}")
        typed.append(f"{rules.typed} as {value}")
        errors.append(f"{_error(column, text, rules)} as {error}")
        checked += [
            f"{value} as {_quote(column.name)}",
            error,
            f"case when {error} is not null then {text} end as {_quote('_raw_' + column.name)}",
        ]
    extras = [name for key, name in columns.items() if key not in {c.name for c in table.columns}]
    # A header column without a name (_csv_header's column_<n>: a delimiter at the end of
    # every line) is kept only when it holds a value.
    unnamed = {f"column_{i}" for i in range(1, len(columns) + 1)}
    extras = [
        name
        for name in extras
        if name not in unnamed
        or con.execute(f"select count({_quote(name)}) from _src").fetchone()[0]
    ]
    if extras:
        packed = ", ".join(f"{_quote(e)} := {_quote(e)}" for e in extras)
        texts.append(f"cast(to_json(struct_pack({packed})) as varchar) as _extra_columns")
    else:
        texts.append("cast(null as varchar) as _extra_columns")
    checked.append("_extra_columns")
    return (
        f"select {', '.join(checked)} from (select {', '.join(errors)} from"
        f" (select {', '.join(typed)} from (select {', '.join(texts)} from _src)))"
    )


def collect_rejects(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """`_row_rejects`: one row per problem. `_valid` is the view of `_checked` without
    the rejected rows, so each check below sees only rows that passed the ones before.
    Rejects are rare: each query looks up the few offending rows, nothing is copied.
    `_row_holds`: the valid rows that refer to a row not loaded, and why."""
    con.execute(
        "create or replace temp table _row_rejects (_row_number bigint, column_name varchar,"
        " reason varchar, raw_value varchar)"
    )
    con.execute(
        # an anti join: `not in` plans a mark join for nulls there are none of, 2x slower
        "create or replace temp view _valid as select * from _checked"
        " anti join _row_rejects using (_row_number)"
    )
    any_error = " or ".join(f"{_quote('_err_' + c.name)} is not null" for c in table.columns)
    con.execute(
        f"create or replace temp table _error_rows as select * from _checked where {any_error}"
    )
    if con.execute("select count(*) from _error_rows").fetchone()[0]:
        for c in table.columns:
            con.execute(
                f"insert into _row_rejects select _row_number, {_literal(c.name)},"
                f" {_quote('_err_' + c.name)}, {_quote('_raw_' + c.name)}"
                f" from _error_rows where {_quote('_err_' + c.name)} is not null"
            )

    # Duplicate key within one file: the first row stands, later ones are rejected.
    key = ", ".join(_quote(k) for k in table.key)
    key_text = " || ', ' || ".join(
        f"{_literal(k + '=')} || cast({_quote(k)} as varchar)" for k in table.key
    )
    con.execute(
        f"""
        insert into _row_rejects
        select _row_number, {_literal(", ".join(table.key))},
               'duplicate key within file (first at row ' || first_row || ')', key_value
        from (
            select _row_number, {key_text} as key_value,
                   min(_row_number) over (partition by {key}) as first_row
            from _valid
            semi join (select {key} from _valid group by {key} having count(*) > 1)
                using ({key})
        )
        where _row_number <> first_row
        """
    )

    # A row whose only fault is a reference not loaded (yet) is held (valuemap/held.py).
    # A table's references to itself are checked after the whole load, in the settle.
    con.execute(
        "create or replace temp table _row_holds (_row_number bigint, column_name varchar,"
        " reason varchar, raw_value varchar)"
    )
    missing = missing_references(
        table, "v", tuple(fk for fk in table.foreign_keys if fk.parent != table.path)
    )
    if missing:
        condition, column, reason, value = missing
        con.execute(
            f"insert into _row_holds select v._row_number, {column}, {reason}, {value}"
            f" from _valid as v where {condition}"
        )


def summarise_rejects(con: duckdb.DuckDBPyConnection) -> str:
    """First rejects and holds of a file, as 'row N, column: reason' for the run's report."""
    rows = con.execute(
        "select _row_number, column_name, reason, raw_value from _row_rejects"
        " union all select _row_number, column_name, 'held: ' || reason, raw_value"
        " from _row_holds order by _row_number, column_name limit 3"
    ).fetchall()

    def shown(value: str | None) -> str:  # a value of megabytes stays in raw._rejects
        return repr(value if value is None or len(value) <= 60 else value[:60] + "...")

    return "; ".join(
        f"row {r}{f', {c}' if c else ''}: {reason} ({shown(v)})" for r, c, reason, v in rows
    )
