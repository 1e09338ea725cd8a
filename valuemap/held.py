"""Held rows: rows that wait, instead of being rejected, until they may enter the marts.

A row is held when its only fault is a reference to a row that has not arrived (an
order of a customer the CRM has not delivered yet: contract.ForeignKey), or when it
breaks a rule that relates rows (a return above its line's sold quantity:
contract.RowRule). It waits in `raw._held_<source>__<table>`, a copy of the raw table's
columns with the reason, and leaves it only when it is released or replaced by a newer
delivery of its key. A key is in the raw table or in its held table, never both.

After the files of a run are loaded, `settle` brings raw to the state it would have if
every row had arrived at once, in one transaction, table by table, parents first:
  1. rows whose reference went away (a parent now held) are held too;
  2. held rows whose references are all there are released into raw, as rows of a new
     load (a line in raw._load_log with status `settled`), so the incremental models
     rebuild their months and the tests read them like any new row;
  3. the table's rules are checked on every group of rows (a line's returns, a pool's
     activities) with a row loaded since the last settle: rows that break one are held.
A row released and held again by a rule in the same settle keeps its first-seen load,
and counts as neither. `quality.held_rows` lists every held row for BI.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from valuemap.bookkeeping import log_settle, newest_load_id, tables_loaded_since
from valuemap.contract import LOAD_COLUMNS, TABLES, TABLES_BY_PATH, ForeignKey, Table
from valuemap.sql import quote_identifier as _quote
from valuemap.sql import quote_literal as _literal

HELD_COLUMNS = (
    ("_held_column", "varchar", "The column whose reference or rule holds the row."),
    ("_held_reason", "varchar not null", "Why the row is held."),
    ("_held_value", "varchar", "The value of that column: the reference that is missing."),
    ("_first_seen_load_id", "integer not null", "The load at which the row was first held."),
)
HELD_ROWS = "quality.held_rows"
# The newest load a settle has seen: the next one checks the rules on later rows.
SETTLED = "raw._settled"


def held_table(table: Table) -> str:
    return f"raw._held_{table.raw_name}"


def ensure_held_tables(con: duckdb.DuckDBPyConnection) -> None:
    load_columns = ", ".join(f"{name} {sql_type}" for name, sql_type, _ in LOAD_COLUMNS)
    held_columns = ", ".join(f"{name} {sql_type}" for name, sql_type, _ in HELD_COLUMNS)
    for table in TABLES:
        columns = ", ".join(f'"{c.name}" {c.raw_type}' for c in table.columns)
        con.execute(
            f"create table if not exists {held_table(table)}"
            f" ({columns}, {load_columns}, {held_columns})"
        )
    con.execute(
        f"create table if not exists {SETTLED}"
        " (settled_at timestamp not null, settled_through_load_id integer not null)"
    )


def missing_references(
    table: Table, alias: str, foreign_keys: tuple[ForeignKey, ...]
) -> tuple[str, str, str, str] | None:
    """SQL over rows `alias` of the table: (any reference missing, the column, the reason,
    the missing value), each naming the first missing reference; None without references.
    A null reference (an optional one left empty) is not missing."""
    if not foreign_keys:
        return None
    conditions, columns, reasons, values = [], [], [], []
    for fk in foreign_keys:
        parent = TABLES_BY_PATH[fk.parent]
        join = " and ".join(
            f"p.{_quote(pc)} = {alias}.{_quote(c)}"
            for c, pc in zip(fk.columns, fk.parent_columns, strict=True)
        )
        present = " and ".join(f"{alias}.{_quote(c)} is not null" for c in fk.columns)
        condition = (
            f"({present} and not exists (select 1 from raw.{parent.raw_name} as p where {join}))"
        )
        shown = " || ', ' || ".join(f"cast({alias}.{_quote(c)} as varchar)" for c in fk.columns)
        conditions.append(condition)
        columns.append((condition, _literal(", ".join(fk.columns))))
        reasons.append((condition, _literal(fk.message)))
        values.append((condition, shown))

    def first(pairs: list[tuple[str, str]]) -> str:
        return "case " + " ".join(f"when {c} then {v}" for c, v in pairs) + " end"

    return " or ".join(conditions), first(columns), first(reasons), first(values)


def _names(table: Table) -> str:
    return ", ".join(_quote(c.name) for c in table.columns)


@dataclass
class Settled:
    table: str
    released: int = 0
    held: int = 0
    messages: tuple[str, ...] = ()


def settle(con: duckdb.DuckDBPyConnection) -> list[Settled]:
    """Release, hold and re-check rules after a run's files; one transaction. Returns
    what moved, per table that changed."""
    ensure_held_tables(con)
    (since,) = con.execute(
        f"select coalesce(max(settled_through_load_id), 0) from {SETTLED}"
    ).fetchone()
    # Tables that may have lost keys since: a replaced key may now be held.
    lost = tables_loaded_since(con, since, replacing=True)
    loaded = tables_loaded_since(con, since)
    settled: list[Settled] = []
    # A row's file and line, for the reasons of the rules (a released row's file is the
    # settle that released it).
    con.execute(
        "create or replace temp macro _row_of(load, line) as (select case when status ="
        " 'settled' then 'a held row released by load ' || load_id else"
        " regexp_extract(file_path, '[^/]+$') || ' row ' || line end"
        " from raw._load_log where load_id = load)"
    )
    con.execute("begin transaction")
    try:
        for table in TABLES:
            load_id = newest_load_id(con) + 1
            moved = _settle_table(con, table, load_id, since, lost, loaded)
            if moved.released or moved.held:
                log_settle(con, load_id, table, moved.messages, moved.held, moved.released)
                settled.append(moved)
                if moved.held:
                    lost.add(table.path)
        con.execute(f"insert into {SETTLED} values (current_timestamp, ?)", [newest_load_id(con)])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return settled


def _key_json(table: Table, alias: str) -> str:
    """A row's key as one comparable value."""
    fields = ", ".join(f"{_quote(k)} := {alias}.{_quote(k)}" for k in table.key)
    return f"cast(to_json(struct_pack({fields})) as varchar)"


def _settle_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    load_id: int,
    since: int,
    lost: set[str],
    loaded: set[str],
) -> Settled:
    moved = Settled(table.path)
    held = held_table(table)
    self_refs = tuple(fk for fk in table.foreign_keys if fk.parent == table.path)
    # Raw rows are checked again only where a reference may have gone: a parent lost
    # keys, or (a table referring to itself) new rows came in without that check.
    recheck = tuple(
        fk
        for fk in table.foreign_keys
        if fk.parent in lost or (fk in self_refs and table.path in loaded | lost)
    )
    con.execute(
        "create or replace temp table _released (key_json varchar, _load_id integer,"
        " _first_seen_load_id integer)"
    )
    for _ in range(1000):  # one round, or until a table referring to itself is stable
        changed = 0
        missing = missing_references(table, "r", recheck)
        if missing:
            condition, column, reason, value = missing
            demoted = _move_to_held(
                con,
                table,
                f"select r.rowid, {column}, {reason}, {value}"
                f" from raw.{table.raw_name} as r where {condition}",
                load_id,
            )
            moved.held += demoted
            changed += demoted
        missing = missing_references(table, "h", table.foreign_keys)
        ready = f"not ({missing[0]})" if missing else "true"
        con.execute(
            f"create or replace temp table _ready as select h.rowid as _rid from {held} as h"
            f" where {ready}"
        )
        (released,) = con.execute("select count(*) from _ready").fetchone()
        if released:
            con.execute(
                f"insert into _released select {_key_json(table, 'h')}, h._load_id,"
                f" h._first_seen_load_id from {held} as h"
                " where h.rowid in (select _rid from _ready)"
            )
            names = ", ".join(_quote(c.name) for c in table.columns)
            con.execute(
                f"insert into raw.{table.raw_name} ({names}, _load_id, _row_number,"
                f" _extra_columns) select {names}, {load_id}, _row_number, _extra_columns"
                f" from {held} where rowid in (select _rid from _ready)"
            )
            con.execute(f"delete from {held} where rowid in (select _rid from _ready)")
            moved.released += released
            changed += released
        if not self_refs or not changed:
            break
    parents = {table.path} | {fk.parent for fk in table.foreign_keys}
    if table.rules and (parents & (loaded | lost) or moved.released):
        keys = ", ".join(_quote(k) for k in table.key)
        join = " and ".join(f"o.{_quote(k)} = r.{_quote(k)}" for k in table.key)
        for rule in table.rules:
            con.execute(
                "create or replace temp table _offending as select * from"
                f" ({rule.sql.replace('{since}', str(since))}) as o({keys}, _reason)"
            )
            moved.held += _move_to_held(
                con,
                table,
                f"select r.rowid, {_literal(rule.column)}, o._reason,"
                f" cast(r.{_quote(rule.column)} as varchar)"
                f" from raw.{table.raw_name} as r inner join _offending as o on {join}",
                load_id,
            )
    # A row released and held again in this settle has not moved.
    (back,) = con.execute(
        f"select count(*) from {held} as h"
        f" where {_key_json(table, 'h')} in (select key_json from _released)"
    ).fetchone()
    moved.released -= back
    moved.held -= back
    if moved.held:
        moved.messages = tuple(
            f"{reason} ({count:,} row(s))"
            for reason, count in con.execute(
                f"select _held_reason, count(*) from {held} where _first_seen_load_id = ?"
                " group by 1 order by 2 desc limit 3",
                [load_id],
            ).fetchall()
        )
    return moved


def _move_to_held(
    con: duckdb.DuckDBPyConnection, table: Table, select_rows: str, load_id: int
) -> int:
    """Move the raw rows that `select_rows` picks, as (rowid, column, reason, value), into
    the held table. A row released earlier in this settle gets its own loads back."""
    con.execute(
        "create or replace temp table _to_hold as select * from"
        f" ({select_rows}) as t(_rid, _column, _reason, _value)"
    )
    (count,) = con.execute("select count(*) from _to_hold").fetchone()
    if not count:
        return 0
    columns = ", ".join(f"r.{_quote(c.name)}" for c in table.columns)
    con.execute(
        f"insert into {held_table(table)} select {columns},"
        " coalesce(b._load_id, r._load_id), r._row_number, r._extra_columns,"
        f" t._column, t._reason, t._value, coalesce(b._first_seen_load_id, {load_id})"
        f" from raw.{table.raw_name} as r inner join _to_hold as t on t._rid = r.rowid"
        f" left join _released as b on b.key_json = {_key_json(table, 'r')}"
    )
    con.execute(f"delete from raw.{table.raw_name} where rowid in (select _rid from _to_hold)")
    return count


# How long a row may wait for what it refers to before it needs someone's attention
# (VALUEMAP_HELD_ATTENTION_DAYS).
DEFAULT_HELD_ATTENTION_DAYS = 7


def write_held_rows(con: duckdb.DuckDBPyConnection, attention_days: int) -> None:
    """Rebuild `quality.held_rows`: every held row with its file, line, reason, how long it
    has waited and, for an order line, the revenue it carries. Keys and references
    only: no other value of a held row (a contact's name) is published."""
    selects = []
    for table in TABLES:
        revenue = (
            "h.quantity * h.unit_net_price"
            if table.path == "orders/order_lines"
            else "cast(null as decimal(18,4))"
        )
        selects.append(
            f"select {_literal(table.path)} as table_path, {_key_json(table, 'h')} as key_value,"
            " f.file_path, h._row_number as row_number, h._held_column as column_name,"
            " h._held_reason as reason, h._held_value as held_value,"
            f" s.loaded_at as first_seen_at, {revenue} as revenue_amount"
            f" from {held_table(table)} as h"
            " left join raw._load_log as f on f.load_id = h._load_id"
            " left join raw._load_log as s on s.load_id = h._first_seen_load_id"
        )
    con.execute("create schema if not exists quality")
    con.execute(
        f"create or replace table {HELD_ROWS} as"
        " select *, current_timestamp::timestamp as checked_at,"
        " date_diff('day', first_seen_at, current_timestamp::timestamp) as days_held,"
        f" date_diff('day', first_seen_at, current_timestamp::timestamp) >= {int(attention_days)}"
        " as needs_attention"
        f" from ({' union all '.join(selects)}) order by table_path, file_path, row_number"
    )


def held_summary(
    con: duckdb.DuckDBPyConnection, attention_days: int
) -> list[tuple[str, int, int, int, float]]:
    """Per table with held rows, as of now: (table, rows, the oldest's days, rows waiting
    `attention_days` or more, revenue carried), from `quality.held_rows`."""
    exists = con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'quality' and table_name = 'held_rows'"
    ).fetchone()[0]
    if not exists:
        return []
    return con.execute(
        "select table_path, count(*), max(days), count(*) filter (where days >= ?),"
        " coalesce(sum(revenue_amount), 0) from (select *, date_diff('day', first_seen_at,"
        f" current_timestamp::timestamp) as days from {HELD_ROWS}) group by 1 order by 1",
        [attention_days],
    ).fetchall()


def held_lines(summary: list[tuple[str, int, int, int, float]], attention_days: int) -> list[str]:
    """One line per table of `held_summary`, for the run summary and `valuemap status`."""
    return [
        f"{table}: {rows:,} row(s), the oldest {oldest} day(s)"
        + (f", EUR {revenue:,.2f} of revenue" if table == "orders/order_lines" else "")
        + (f"; {attention:,} waiting {attention_days}+ days need attention" if attention else "")
        for table, rows, oldest, attention, revenue in summary
    ]
