"""Load landing files into the `raw` schema of the warehouse, enforcing the contract.

Every file is read once (known by its SHA-256), every row of it is either loaded
into `raw.<source>__<table>` or written to `raw._rejects` with the row, column and
reason, and each file is loaded in one transaction together with its line in
`raw._load_log`: a crash leaves either the whole file or nothing.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

import duckdb

from valuemap.contract import LOAD_COLUMNS, TABLES, Column, Table
from valuemap.csv_files import (
    NotReadable,
    Scan,
    check_encoding,
    is_parquet,
    prepare,
    readable,
    record_lines,
    scan,
)
from valuemap.held import (
    DEFAULT_HELD_ATTENTION_DAYS,
    ensure_held_tables,
    held_table,
    missing_references,
    settle,
    write_held_rows,
)
from valuemap.sql import quote_identifier as _quote
from valuemap.sql import quote_literal as _literal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dialect:
    """How a source's CSV files are written. Set per source in `<landing>/<source>/dialect.json`."""

    delimiter: str = ","
    decimal: str = "."
    thousands: str = ""  # none: a separator in a number rejects it, never misreads it
    date_format: str = "YYYY-MM-DD"
    encoding: str = "utf-8"

    DATE_FORMATS = {  # noqa: RUF012 - constant lookup, not a field
        "YYYY-MM-DD": ("%Y-%m-%d", r"\d{4}-\d{2}-\d{2}"),
        "DD-MM-YYYY": ("%d-%m-%Y", r"\d{2}-\d{2}-\d{4}"),
    }

    @classmethod
    def for_source(cls, landing: Path, source: str) -> Dialect:
        path = landing / source / "dialect.json"
        if not path.exists():
            return cls()
        try:
            settings = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"{path} is not valid JSON: {error}") from None
        if not isinstance(settings, dict):
            raise ValueError(f'{path} must be a JSON object, such as {{"delimiter": ";"}}')
        unknown = set(settings) - {"delimiter", "decimal", "thousands", "date_format", "encoding"}
        if unknown:
            raise ValueError(f"{path}: unknown dialect setting(s) {sorted(unknown)}")
        dialect = cls(**settings)
        if dialect.date_format not in cls.DATE_FORMATS:
            raise ValueError(
                f"{path}: date_format must be one of {sorted(cls.DATE_FORMATS)},"
                f" not {dialect.date_format!r}"
            )
        try:
            check_encoding(dialect.encoding)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
        marks = [dialect.delimiter, dialect.decimal, dialect.thousands]
        if dialect.thousands and len(set(marks)) < 3:
            raise ValueError(f"{path}: delimiter, decimal and thousands must differ, not {marks}")
        return dialect


@dataclass(frozen=True)
class FileResult:
    table: str
    path: str
    status: str  # loaded | rejected | skipped
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    message: str = ""
    rows_held: int = 0  # waiting for a reference (valuemap/held.py)


class FileRejected(Exception):
    """The file cannot be read at all; it is rejected whole."""


# ---------------------------------------------------------------- schema


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables, the load log, the log of tested loads and the rejects table
    if they are missing."""
    con.execute("create schema if not exists raw")
    load_columns = ", ".join(f"{name} {sql_type}" for name, sql_type, _ in LOAD_COLUMNS)
    for table in TABLES:
        columns = ", ".join(f'"{c.name}" {c.raw_type}' for c in table.columns)
        con.execute(f"create table if not exists raw.{table.raw_name} ({columns}, {load_columns})")
    con.execute(
        """
        create table if not exists raw._load_log (
            load_id integer primary key,
            table_path varchar not null,
            file_path varchar not null,
            content_hash varchar not null,
            loaded_at timestamp not null,
            status varchar not null,
            rows_read bigint not null,
            rows_loaded bigint not null,
            rows_rejected bigint not null,
            message varchar,
            rows_replaced bigint not null default 0
        )
        """
    )
    # Warehouses loaded before the incremental models had no count of replaced rows, and
    # before the hash was kept by file size and time, none of those.
    con.execute("alter table raw._load_log add column if not exists rows_replaced bigint default 0")
    for column in ("file_size", "file_mtime_ns"):
        con.execute(f"alter table raw._load_log add column if not exists {column} bigint")
    # Before rows were held: none held, none released.
    for column in ("rows_held", "rows_released"):
        con.execute(f"alter table raw._load_log add column if not exists {column} bigint default 0")
    ensure_held_tables(con)
    # After a dbt build whose every test passed: the newest load it read. The next build
    # tests only rows of later loads (macros/tests_on_new_rows.sql).
    con.execute(
        """
        create table if not exists raw._tested_loads (
            tested_at timestamp not null,
            run_id varchar not null,
            tested_through_load_id integer not null
        )
        """
    )
    con.execute(
        """
        create table if not exists raw._rejects (
            load_id integer not null,
            table_path varchar not null,
            file_path varchar not null,
            row_number bigint,
            column_name varchar,
            reason varchar not null,
            raw_value varchar
        )
        """
    )


# ---------------------------------------------------------------- discovery


def landing_files(landing: Path) -> list[tuple[Table, Path]]:
    """Files to consider, in load order: contract table order (parents before children),
    then delivery order within a table (modification time, then name)."""
    found = []
    for table in TABLES:
        folder = landing / table.source / table.name
        if not folder.is_dir():
            continue
        # every file, so that one valuemap cannot read is named, not skipped (hidden
        # files, such as .DS_Store, are the file system's, not the export's)
        files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
        files.sort(key=lambda p: (p.stat().st_mtime_ns, p.name))
        found.extend((table, p) for p in files)
    return found


def recorded_hash(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, stat: os.stat_result
) -> str | None:
    """The content hash an earlier load recorded for this file at this path, if its size
    and modification time (`stat`) are still the same: the files a landing folder keeps
    are not read again on every run (as rsync's quick check). A file rewritten in place
    changes its modification time, so it is hashed again."""
    row = con.execute(
        "select content_hash from raw._load_log where table_path = ? and file_path = ?"
        " and file_size = ? and file_mtime_ns = ? order by load_id desc limit 1",
        [table.path, str(path), stat.st_size, stat.st_mtime_ns],
    ).fetchone()
    return row[0] if row else None


# ---------------------------------------------------------------- validation SQL


# The raw precision of a decimal (contract.RAW_TYPES: DECIMAL(18,4)).
DECIMAL_DIGITS, DECIMAL_PLACES = 14, 4


def _number(column: Column, value: str, dialect: Dialect) -> tuple[str, list[tuple[str, str]]]:
    """SQL for a number column's typed value, and its checks: the text must be a number
    as the dialect writes them (its decimal mark; a thousands separator only where the
    dialect names one, grouping three digits), a whole number for int and score (a zero
    fraction is fine), and a decimal within the raw precision. Nothing is rounded."""
    decimal, thousands = re.escape(dialect.decimal), re.escape(dialect.thousands)
    digits = rf"(\d{{1,3}}({thousands}\d{{3}})+|\d+)" if dialect.thousands else r"\d+"
    shape = rf"[+-]?{digits}({decimal}\d+)?"
    plain = value
    if dialect.thousands:
        plain = f"replace({plain}, {_literal(dialect.thousands)}, '')"
    if dialect.decimal != ".":
        plain = f"replace({plain}, {_literal(dialect.decimal)}, '.')"
    written = f"(decimal {dialect.decimal!r}, thousands separator " + (
        f"{dialect.thousands!r})" if dialect.thousands else "none; see dialect.json)"
    )
    whole = "a whole number" if column.type != "decimal" else "a number"
    checks = [(f"not regexp_full_match({value}, {_literal(shape)})", f"not {whole} {written}")]
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
    else:
        checks += [
            (
                f"rtrim(split_part({plain}, '.', 2), '0') <> ''",
                "not a whole number: the fraction would be rounded",
            ),
            (f"try_cast(split_part({plain}, '.', 1) as {column.raw_type}) is null", "too large"),
        ]
        typed = f"try_cast(split_part({plain}, '.', 1) as {column.raw_type})"
    return typed, checks


def _typed_and_error(column: Column, value: str, dialect: Dialect) -> tuple[str, str]:
    """SQL for a column's typed value and for its error (null when the value is fine)."""
    checks: list[tuple[str, str]] = []  # (condition that is an error, reason)
    if column.type in ("id", "text"):
        typed = value
    elif column.type == "enum":
        typed = f"lower({value})"
        allowed = ", ".join(_literal(v) for v in column.values)
        checks.append((f"{typed} not in ({allowed})", f"not one of: {', '.join(column.values)}"))
    elif column.type == "period":
        typed = value
        checks.append(
            (f"not regexp_full_match({value}, '\\d{{4}}-(0[1-9]|1[0-2])')", "not a period YYYY-MM")
        )
    elif column.type == "date":
        fmt, shape = Dialect.DATE_FORMATS[dialect.date_format]
        typed = (
            f"case when regexp_full_match({value}, '{shape}')"
            f" then cast(try_strptime({value}, '{fmt}') as date) end"
        )
        checks.append((f"{typed} is null", f"not a date {dialect.date_format}"))
        if not column.future_allowed:
            # a day of slack for exports written in another time zone
            checks.append((f"{typed} > current_date + 1", "in the future"))
    else:  # int, decimal, score: exactly as written, or rejected
        typed, number_checks = _number(column, value, dialect)
        checks += number_checks
        if column.low is not None:
            op, word = ("<=", ">") if column.low_exclusive else ("<", ">=")
            checks.append(
                (f"{typed} {op} {column.low:g}", f"out of range: must be {word} {column.low:g}")
            )
        if column.high is not None:
            checks.append(
                (f"{typed} > {column.high:g}", f"out of range: must be <= {column.high:g}")
            )
    missing = "'missing required value'" if not column.nullable else "null"
    branches = " ".join(f"when {cond} then {_literal(reason)}" for cond, reason in checks)
    error = f"case when {value} is null then {missing} {branches} end"
    return typed, error


def _build_checked(
    con: duckdb.DuckDBPyConnection, table: Table, columns: dict[str, str], dialect: Dialect
) -> None:
    """From `_src` (all text), build `_checked`: typed values and one error column per
    contract column (the raw text stays in `_src`, read back for rejected rows only)."""
    select = ["_row_number"]
    for column in table.columns:
        source_name = columns.get(column.name)
        value = (
            f"nullif(trim({_quote(source_name)}), '')" if source_name else "cast(null as varchar)"
        )
        typed, error = _typed_and_error(column, value, dialect)
        select += [
            f"{typed} as {_quote(column.name)}",
            f"{error} as {_quote('_err_' + column.name)}",
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
        select.append(f"cast(to_json(struct_pack({packed})) as varchar) as _extra_columns")
    else:
        select.append("cast(null as varchar) as _extra_columns")
    con.execute(f"create or replace temp table _checked as select {', '.join(select)} from _src")


def _csv_header(path: Path, dialect: Dialect) -> list[str]:
    """The header row's column names, from the UTF-8 file DuckDB reads (a BOM is
    dropped). A column without a name (a delimiter at the end of every line, as some
    exports write) is named `column_<position>`."""
    with path.open("rb") as handle:
        first_line = handle.readline()
    text = first_line.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    header = next(csv.reader([text], delimiter=dialect.delimiter, quotechar='"'), [])
    if not [name for name in header if name.strip()]:
        raise FileRejected("no header row")
    header = [name if name.strip() else f"column_{i}" for i, name in enumerate(header, 1)]
    seen: set[str] = set()
    for name in header:
        key = name.strip().lower()
        if key in seen:
            raise FileRejected(f"column {key!r} appears twice in the header")
        seen.add(key)
    return header


# DuckDB's names for a line it cannot parse, in the words of the rejects table.
MALFORMED_REASONS = {
    "MISSING COLUMNS": "malformed row: too few fields",
    "TOO MANY COLUMNS": "malformed row: too many fields",
    "UNQUOTED VALUE": "unterminated quote: this line and the lines it swallows cannot be read",
}
# DuckDB's longest line; a longer one is nearly always a quote left open.
MAX_LINE_BYTES = 2_000_000


def _read_source(
    con: duckdb.DuckDBPyConnection, path: Path, dialect: Dialect, file_scan: Scan | None
) -> None:
    """Read the file into the view `_src`: every column as text, plus `_row_number` (CSV:
    the line number, the header being line 1; Parquet: the row, from 1). CSV lines that
    cannot be parsed go to `_malformed`, one row per problem, with the lines they cover.
    `path` is the UTF-8 file of csv_files.prepare, `file_scan` its scan."""
    con.execute(
        "create or replace temp table _malformed (line bigint, line_count bigint,"
        " column_name varchar, reason varchar, raw_value varchar)"
    )
    if is_parquet(path):
        reader = f"select columns(*)::varchar from read_parquet({_literal(str(path))})"
        first_row = 1
    else:
        header = _csv_header(path, dialect)
        columns = ", ".join(f"{_literal(name)}: 'VARCHAR'" for name in header)
        con.execute("create or replace temp table _header as select unnest(?) as name", [header])
        for temp in ("_csv_errors", "_csv_scans"):
            con.execute(f"drop table if exists {temp}")
        reader = (
            f"select * from read_csv({_literal(str(path))}, columns = {{{columns}}},"
            " auto_detect = false, header = true,"
            f" delim = {_literal(dialect.delimiter)}, quote = '\"', escape = '\"',"
            " encoding = 'utf-8', null_padding = false,"
            " ignore_errors = true, store_rejects = true,"
            " rejects_table = '_csv_errors', rejects_scan = '_csv_scans')"
        )
        first_row = 2
    try:
        con.execute(f"create or replace temp table _src_read as {reader}")
    except duckdb.Error as error:
        first_line = str(error).strip().splitlines()
        detail = " ".join(line.strip() for line in first_line[:3])
        raise FileRejected(f"cannot read file: {detail}") from None
    if first_row == 2:
        _collect_malformed(con, dialect, path)
        _number_by_line(con, path, dialect, file_scan)
    # Rows are numbered in file order: rowids follow it (inside a transaction they
    # start at an offset, hence the minimum).
    if not con.execute("select count(*) from _malformed").fetchone()[0]:
        (first_rowid,) = con.execute("select coalesce(min(rowid), 0) from _src_read").fetchone()
        con.execute(
            "create or replace temp view _src_records as select"
            f" rowid - {int(first_rowid)} + {first_row} as _row_number, * from _src_read"
        )
        _by_line(con, first_row)
        return
    # Good rows take the line numbers that no malformed line covers.
    con.execute(
        f"""
        create or replace temp table _src_numbered as
        with rows_in_order as (
            select row_number() over (order by rowid) as seq, * from _src_read
        ),
        bad_lines as (
            select distinct unnest(range(line, line + line_count)) as line from _malformed
        ),
        free_lines as (
            select row_number() over (order by line) as seq, line
            from (
                select range as line
                from range({first_row}, {first_row} + (select count(*) from _src_read)
                                        + (select count(*) from bad_lines))
            )
            where line not in (select line from bad_lines)
        )
        select f.line as _row_number, r.* exclude (seq)
        from rows_in_order as r
        inner join free_lines as f on r.seq = f.seq
        """
    )
    con.execute("create or replace temp view _src_records as select * from _src_numbered")
    _by_line(con, first_row)


def _by_line(con: duckdb.DuckDBPyConnection, first_row: int) -> None:
    """`_src`: the rows, numbered by the line they start on when that differs from the
    record number (`_record_lines`, CSV only)."""
    if first_row == 1 or not con.execute("select count(*) from _record_lines").fetchone()[0]:
        con.execute("create or replace temp view _src as select * from _src_records")
        return
    con.execute(
        "create or replace temp view _src as select coalesce(l.line, s._row_number)"
        " as _row_number, s.* exclude (_row_number) from _src_records as s"
        " left join _record_lines as l on l.record = s._row_number"
    )


def _number_by_line(
    con: duckdb.DuckDBPyConnection, path: Path, dialect: Dialect, file_scan: Scan | None
) -> None:
    """DuckDB numbers records; the docs promise lines. They differ only where a quoted
    value spans lines, which the count of line breaks shows: then every record gets the
    line it starts on (`_record_lines`, read by `_src`), and so does every malformed
    one."""
    con.execute("create or replace temp table _record_lines (record bigint, line bigint)")
    (records,) = con.execute(
        "select (select count(*) from _src_read) + coalesce((select sum(line_count)"
        " from _malformed), 0)"
    ).fetchone()
    if file_scan is None or file_scan.newlines <= records + 1:
        return
    starts = record_lines(path, dialect.delimiter)
    con.execute(
        "insert into _record_lines select unnest(range(1, ? + 1)), unnest(?)",
        [len(starts), starts],
    )
    con.execute(
        "update _malformed set line = l.line from _record_lines as l where l.record = _malformed.line"
    )


def _collect_malformed(con: duckdb.DuckDBPyConnection, dialect: Dialect, path: Path) -> None:
    # DuckDB may report a line more than once (a missing field each): one reject a line
    errors = con.execute(
        # (a line-wide error has no column index: -1 keeps it from being ignored)
        "select line, arg_min(column_name, coalesce(column_idx, -1)),"
        " arg_min(error_type, coalesce(column_idx, -1)),"
        " arg_min(error_message, coalesce(column_idx, -1)), any_value(csv_line),"
        " any_value(line_byte_position) from _csv_errors group by line order by line"
    ).fetchall()
    for line, column, error_type, message, raw, byte_position in errors:
        if error_type == "INVALID ENCODING":
            raise FileRejected(
                f'line {line} is not {dialect.encoding}; set "encoding" in the source\'s'
                " dialect.json"
            )
        raw_text = (raw or "").rstrip("\r\n")
        line_count = raw_text.count("\n") + 1
        reason = MALFORMED_REASONS.get(error_type, f"malformed row: {message}")
        if error_type == "LINE SIZE OVER MAXIMUM":
            # DuckDB keeps no text of a line this long: read it from the file
            with path.open("rb") as handle:
                handle.seek(max((byte_position or 1) - 1, 0))  # DuckDB counts from 1
                raw_text = handle.readline().decode("utf-8", errors="replace").rstrip("\r\n")
            line_count = 1
            column = _longest_field(con, raw_text, dialect)
            reason = (
                f"line longer than {MAX_LINE_BYTES / 1e6:g} MB ({len(raw_text.encode()):,}"
                " bytes): a quote left open, or a value too long for a CSV export"
            )
        if line_count > 1:
            reason += f" (lines {line}-{line + line_count - 1})"
        con.execute(
            "insert into _malformed values (?, ?, ?, ?, ?)",
            [line, line_count, column, reason, raw_text[:1000]],
        )


def _longest_field(con: duckdb.DuckDBPyConnection, raw_text: str, dialect: Dialect) -> str | None:
    """The header name of the longest field of a line: the one to look at."""
    csv.field_size_limit(max(csv.field_size_limit(), len(raw_text) + 1))
    fields = next(csv.reader([raw_text], delimiter=dialect.delimiter, quotechar='"'), [])
    if not fields:
        return None
    longest = max(range(len(fields)), key=lambda i: len(fields[i]))
    names = [name for (name,) in con.execute("select name from _header").fetchall()]
    return names[longest] if longest < len(names) else None


def _matched_columns(con: duckdb.DuckDBPyConnection, table: Table) -> dict[str, str]:
    """Map lower-case column name -> the file's column name; reject missing required ones."""
    names = [row[0] for row in con.execute("describe _src").fetchall() if row[0] != "_row_number"]
    columns: dict[str, str] = {}
    for name in names:
        key = name.strip().lower()
        if key in columns:
            raise FileRejected(f"column {key!r} appears twice in the header")
        columns[key] = name
    missing = [c.name for c in table.columns if not c.nullable and c.name not in columns]
    if missing:
        raise FileRejected(
            f"missing required column(s): {', '.join(missing)}"
            f" (header has: {', '.join(names) or 'nothing'})"
        )
    return columns


def _collect_rejects(con: duckdb.DuckDBPyConnection, table: Table, columns: dict[str, str]) -> None:
    """`_row_rejects`: one row per problem. `_valid` is the view of `_checked` without
    the rejected rows, so each check below sees only rows that passed the ones before.
    Rejects are rare: each query looks up the few offending rows, nothing is copied.
    `_row_holds`: the valid rows that refer to a row not loaded, and why."""
    con.execute(
        "create or replace temp table _row_rejects (_row_number bigint, column_name varchar,"
        " reason varchar, raw_value varchar)"
    )
    con.execute(
        "create or replace temp view _valid as select * from _checked"
        " where _row_number not in (select _row_number from _row_rejects)"
    )
    any_error = " or ".join(f"{_quote('_err_' + c.name)} is not null" for c in table.columns)
    con.execute(
        f"create or replace temp table _error_rows as select * from _checked where {any_error}"
    )
    if con.execute("select count(*) from _error_rows").fetchone()[0]:
        for c in table.columns:
            source_name = columns.get(c.name)
            raw = f"nullif(trim(s.{_quote(source_name)}), '')" if source_name else "null"
            con.execute(
                f"insert into _row_rejects select e._row_number, {_literal(c.name)},"
                f" e.{_quote('_err_' + c.name)}, {raw}"
                " from _error_rows e join _src s on s._row_number = e._row_number"
                f" where e.{_quote('_err_' + c.name)} is not null"
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


def _read_file(
    con: duckdb.DuckDBPyConnection, path: Path, dialect: Dialect, file_scan: Scan, folder: Path
) -> None:
    """Read a landing file into `_src` (and `_malformed`), or reject it whole."""
    if not readable(path):
        raise FileRejected(
            "not a file valuemap reads (.csv, .csv.gz or .parquet): export the table as CSV"
            " or Parquet, or move the file out of the table folder"
        )
    if not is_parquet(path) and path.stat().st_size == 0:
        raise FileRejected("empty file: no header row")
    try:
        if not is_parquet(path):
            path, file_scan = prepare(path, file_scan, dialect.encoding, folder)
    except NotReadable as error:
        raise FileRejected(str(error)) from None
    _read_source(con, path, dialect, file_scan)


def load_file(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, dialect: Dialect
) -> FileResult:
    """Load one file (not yet known by its hash) in one transaction."""
    # Taken before the file is read, and logged with its hash: a write during the load
    # gives the file a later time, so the next run reads it again.
    stat = path.stat()
    content_hash = recorded_hash(con, table, path, stat)
    file_scan = None
    if content_hash is None:
        file_scan = scan(path)  # the hash, and what the reader needs to know
        content_hash = file_scan.content_hash
    known = con.execute(
        "select load_id from raw._load_log where content_hash = ? and table_path = ?",
        [content_hash, table.path],
    ).fetchone()
    if known:
        return FileResult(
            table.path, str(path), "skipped", message=f"already loaded (load {known[0]})"
        )

    load_id = newest_load_id(con) + 1
    try:
        # Reading only fills temp tables; a file DuckDB cannot parse would abort a
        # transaction, so the transaction starts after it.
        try:
            with tempfile.TemporaryDirectory(prefix="valuemap-") as folder:
                _read_file(con, path, dialect, file_scan or scan(path), Path(folder))
            columns = _matched_columns(con, table)
        except FileRejected as rejected:
            con.execute("begin transaction")
            con.execute(
                "insert into raw._rejects values (?, ?, ?, null, null, ?, null)",
                [load_id, table.path, str(path), str(rejected)],
            )
            _log_load(
                con, load_id, table, path, stat, content_hash, "rejected", 0, 0, 0, str(rejected)
            )
            con.execute("commit")
            return FileResult(table.path, str(path), "rejected", message=str(rejected))

        con.execute("begin transaction")
        _build_checked(con, table, columns, dialect)
        _collect_rejects(con, table, columns)
        con.execute(
            "insert into _row_rejects select line, column_name, reason, raw_value from _malformed"
        )
        con.execute(
            "insert into raw._rejects select ?, ?, ?, _row_number, column_name, reason, raw_value"
            " from _row_rejects order by _row_number, column_name",
            [load_id, table.path, str(path)],
        )
        # The file delivered last wins: its rows replace those with the same key, loaded
        # or held. The count tells the incremental dbt models that months other than the
        # new rows' may have changed.
        key_match = " and ".join(f"t.{_quote(k)} = v.{_quote(k)}" for k in table.key)
        con.execute(f"delete from {held_table(table)} t using _valid v where {key_match}")
        rows_replaced = 0
        if con.execute(f"select exists (from raw.{table.raw_name})").fetchone()[0]:
            (rows_replaced,) = con.execute(
                f"delete from raw.{table.raw_name} t using _valid v where {key_match}"
            ).fetchone()
        names = ", ".join(_quote(c.name) for c in table.columns)
        (rows_loaded,) = con.execute(
            f"insert into raw.{table.raw_name} ({names}, _load_id, _row_number, _extra_columns)"
            f" select {names}, {load_id}, _row_number, _extra_columns from _valid"
            " where _row_number not in (select _row_number from _row_holds)"
        ).fetchone()
        (rows_held,) = con.execute(
            f"insert into {held_table(table)} select"
            f" {', '.join('v.' + _quote(c.name) for c in table.columns)}, {load_id}, v._row_number,"
            f" v._extra_columns, h.column_name, h.reason, h.raw_value, {load_id}"
            " from _valid as v inner join _row_holds as h on h._row_number = v._row_number"
        ).fetchone()
        rows_read = con.execute(
            "select (select count(*) from _checked)"
            " + coalesce((select sum(line_count) from _malformed), 0)"
        ).fetchone()[0]
        rows_rejected = rows_read - rows_loaded - rows_held
        message = _summarise_rejects(con) if rows_rejected or rows_held else ""
        _log_load(
            con,
            load_id,
            table,
            path,
            stat,
            content_hash,
            "loaded",
            rows_read,
            rows_loaded,
            rows_rejected,
            message,
            rows_replaced,
            rows_held,
        )
        con.execute("commit")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # no transaction open: nothing to undo
            con.execute("rollback")
        raise
    finally:
        for view in ("_valid", "_src"):
            con.execute(f"drop view if exists {view}")
        for temp in (
            "_checked",
            "_error_rows",
            "_row_rejects",
            "_row_holds",
            "_malformed",
            "_src_read",
            "_src_numbered",
        ):
            con.execute(f"drop table if exists {temp}")
    return FileResult(
        table.path, str(path), "loaded", rows_read, rows_loaded, rows_rejected, message, rows_held
    )


def _summarise_rejects(con: duckdb.DuckDBPyConnection) -> str:
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


def _log_load(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    table: Table,
    path: Path,
    stat: os.stat_result,
    content_hash: str,
    status: str,
    rows_read: int,
    rows_loaded: int,
    rows_rejected: int,
    message: str,
    rows_replaced: int = 0,
    rows_held: int = 0,
) -> None:
    con.execute(
        "insert into raw._load_log (load_id, table_path, file_path, content_hash, loaded_at,"
        " status, rows_read, rows_loaded, rows_rejected, message, rows_replaced, file_size,"
        " file_mtime_ns, rows_held) values (?, ?, ?, ?, current_timestamp, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?)",
        [
            load_id,
            table.path,
            str(path),
            content_hash,
            status,
            rows_read,
            rows_loaded,
            rows_rejected,
            message,
            rows_replaced,
            stat.st_size,
            stat.st_mtime_ns,
            rows_held,
        ],
    )


class LoadProgress:
    """Prints a line per file once a load has run longer than `after_seconds`, so a long
    load shows where it is and a short one stays quiet."""

    def __init__(self, stream: TextIO, after_seconds: float = 3.0) -> None:
        self.stream, self.after_seconds = stream, after_seconds
        self.started = time.perf_counter()

    def _say(self, text: str) -> None:
        elapsed = time.perf_counter() - self.started
        if elapsed >= self.after_seconds:
            print(f"  [load {elapsed:6.1f}s] {text}", file=self.stream, flush=True)

    def starting(self, number: int, total: int, table: Table, path: Path) -> None:
        size = path.stat().st_size / 1e6
        self._say(f"{number}/{total} {table.path}: reading {path.name} ({size:,.1f} MB)")

    def finished(self, number: int, total: int, result: FileResult, seconds: float) -> None:
        if result.status == "skipped":
            self._say(f"{number}/{total} {result.table}: {result.message}")
        else:
            self._say(
                f"{number}/{total} {result.table}: {result.status}, {result.rows_loaded:,} rows"
                f" loaded, {result.rows_rejected:,} rejected in {seconds:.1f}s"
            )


def load_landing(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    progress: LoadProgress | None = None,
    held_attention_days: int = DEFAULT_HELD_ATTENTION_DAYS,
) -> list[FileResult]:
    """Load every new file of the landing folder, then settle the held rows (valuemap/
    held.py). Returns one result per file seen."""
    ensure_raw_schema(con)
    dialects: dict[str, Dialect] = {}
    results = []
    files = landing_files(landing)
    for number, (table, path) in enumerate(files, start=1):
        if table.source not in dialects:
            dialects[table.source] = Dialect.for_source(landing, table.source)
        if progress:
            progress.starting(number, len(files), table, path)
        file_started = time.perf_counter()
        # Parquet carries typed values: the CSV dialect of its source does not apply.
        dialect = Dialect() if is_parquet(path) else dialects[table.source]
        result = load_file(con, table, path, dialect)
        if progress:
            progress.finished(number, len(files), result, time.perf_counter() - file_started)
        if result.status != "skipped":
            log.info(
                "%s %s: %s, %d read, %d loaded, %d rejected %s",
                table.path,
                path.name,
                result.status,
                result.rows_read,
                result.rows_loaded,
                result.rows_rejected,
                result.message,
            )
        results.append(result)
    for moved in settle(con):
        log.info(
            "%s: %d held row(s) released, %d held %s",
            moved.table,
            moved.released,
            moved.held,
            "; ".join(moved.messages),
        )
    write_held_rows(con, held_attention_days)
    return results


def newest_load_id(con: duckdb.DuckDBPyConnection) -> int:
    """The newest load in the warehouse; 0 before the first."""
    return con.execute("select coalesce(max(load_id), 0) from raw._load_log").fetchall()[0][0]


def tables_loaded_since_tested(con: duckdb.DuckDBPyConnection) -> set[str] | None:
    """The landing tables (as 'crm/customers') with a load after the newest one a passing
    dbt build tested (raw._tested_loads); None before the first such build."""
    (tested,) = con.execute(
        "select coalesce(max(tested_through_load_id), 0) from raw._tested_loads"
    ).fetchone()
    if not tested:
        return None
    rows = con.execute(
        "select distinct table_path from raw._load_log where load_id > ?", [tested]
    ).fetchall()
    return {path for (path,) in rows}


def record_tested_loads(con: duckdb.DuckDBPyConnection, run_id: str, through_load_id: int) -> None:
    """Every dbt test passed on the rows of loads up to `through_load_id`."""
    con.execute(
        "insert into raw._tested_loads values (current_timestamp, ?, ?)", [run_id, through_load_id]
    )


def problem_files(
    con: duckdb.DuckDBPyConnection, since: datetime | None = None
) -> list[tuple[datetime, str]]:
    """The files rejected whole or with rejected rows (loaded at or after `since`), in
    load order, each as (loaded at, "table/file: what: its first problems")."""
    rows = con.execute(
        "select loaded_at, table_path, regexp_extract(file_path, '[^/]+$'), status,"
        " rows_read, rows_rejected, message from raw._load_log where loaded_at >= ?"
        " and (status = 'rejected' or rows_rejected > 0) order by load_id",
        [since or datetime.min],
    ).fetchall()
    return [
        (
            loaded_at,
            f"{table}/{name}: "
            + (
                "file rejected"
                if status == "rejected"
                else f"{rejected:,} of {read:,} row(s) rejected"
            )
            + f": {message}",
        )
        for loaded_at, table, name, status, read, rejected, message in rows
    ]


def files_rejected_whole_by_the_last_run(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The files the last run (the loads after the settle before the last one) rejected
    whole, as 'table/file: reason'."""
    if not con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'raw' and table_name = '_settled'"
    ).fetchone()[0]:
        return []  # a warehouse of a version before held rows
    rows = con.execute(
        "with runs as (select settled_through_load_id as through,"
        " row_number() over (order by settled_at desc) as newest from raw._settled)"
        " select table_path || '/' || regexp_extract(file_path, '[^/]+$') || ': ' || message"
        " from raw._load_log where status = 'rejected'"
        " and load_id > coalesce((select through from runs where newest = 2), 0)"
        " and load_id <= coalesce((select through from runs where newest = 1), 0)"
        " order by load_id"
    ).fetchall()
    return [row for (row,) in rows]
