"""Read: a landing file opened as a view of text columns, then read in one pass that
types and checks it (the select of valuemap/loader/check.py) into one row per record,
numbered by its line, with the records DuckDB could not parse (`_malformed`). A file
that cannot be read at all raises FileRejected."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

from valuemap.contract import Table
from valuemap.loader.files import NotReadable, Scan, is_parquet, prepare, readable, record_lines
from valuemap.loader.find import Dialect
from valuemap.sql import quote_literal as _literal


class FileRejected(Exception):
    """The file cannot be read at all; it is rejected whole."""


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


@dataclass(frozen=True)
class Source:
    """A landing file opened as the view `_src`, ready for its one pass (read_checked)."""

    path: Path  # the file DuckDB reads (a UTF-8 copy where files.prepare made one)
    dialect: Dialect
    file_scan: Scan | None  # CSV only
    first_row: int  # the number of the first record: CSV 2 (after the header), Parquet 1


def _open_source(
    con: duckdb.DuckDBPyConnection, path: Path, dialect: Dialect, file_scan: Scan | None
) -> Source:
    """The view `_src` of the file: every column as text. Nothing is read yet."""
    if is_parquet(path):
        reader = f"select columns(*)::varchar from read_parquet({_literal(str(path))})"
        first_row = 1
    else:
        header = _csv_header(path, dialect)
        columns = ", ".join(f"{_literal(name)}: 'VARCHAR'" for name in header)
        con.execute("create or replace temp table _header as select unnest(?) as name", [header])
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
        con.execute(f"create or replace temp view _src as {reader}")
    except duckdb.Error as error:
        raise FileRejected(_cannot_read(error)) from None
    return Source(path, dialect, file_scan, first_row)


def _cannot_read(error: duckdb.Error) -> str:
    first_lines = str(error).strip().splitlines()
    return "cannot read file: " + " ".join(line.strip() for line in first_lines[:3])


def read_checked(con: duckdb.DuckDBPyConnection, source: Source, checked: str) -> None:
    """The one pass over the file: the rows of `checked` (a select from `_src`, typed and
    checked: check.checked_select) into the view `_checked`, with `_row_number` (CSV: the
    line number, the header being line 1; Parquet: the row, from 1). CSV lines that
    cannot be parsed go to `_malformed`, one row per problem, with the lines they cover."""
    con.execute(
        "create or replace temp table _malformed (line bigint, line_count bigint,"
        " column_name varchar, reason varchar, raw_value varchar)"
    )
    for temp in ("_csv_errors", "_csv_scans"):  # DuckDB appends to them
        con.execute(f"drop table if exists {temp}")
    try:
        con.execute(f"create or replace temp table _checked_rows as {checked}")
    except duckdb.Error as error:
        raise FileRejected(_cannot_read(error)) from None
    first_row = source.first_row
    if first_row == 2:
        _collect_malformed(con, source.dialect, source.path)
        _number_by_line(con, source.path, source.dialect, source.file_scan)
    # Rows are numbered in file order: rowids follow it (inside a transaction they
    # start at an offset, hence the minimum).
    if not con.execute("select count(*) from _malformed").fetchone()[0]:
        (first_rowid,) = con.execute("select coalesce(min(rowid), 0) from _checked_rows").fetchone()
        con.execute(
            "create or replace temp view _checked_records as select"
            f" rowid - {int(first_rowid)} + {first_row} as _row_number, * from _checked_rows"
        )
        _by_line(con, first_row)
        return
    # Good rows take the line numbers that no malformed line covers.
    con.execute(
        f"""
        create or replace temp table _checked_numbered as
        with rows_in_order as (
            select row_number() over (order by rowid) as seq, * from _checked_rows
        ),
        bad_lines as (
            select distinct unnest(range(line, line + line_count)) as line from _malformed
        ),
        free_lines as (
            select row_number() over (order by line) as seq, line
            from (
                select range as line
                from range({first_row}, {first_row} + (select count(*) from _checked_rows)
                                        + (select count(*) from bad_lines))
            )
            where line not in (select line from bad_lines)
        )
        select f.line as _row_number, r.* exclude (seq)
        from rows_in_order as r
        inner join free_lines as f on r.seq = f.seq
        """
    )
    con.execute("create or replace temp view _checked_records as select * from _checked_numbered")
    _by_line(con, first_row)


def _by_line(con: duckdb.DuckDBPyConnection, first_row: int) -> None:
    """`_checked`: the rows, numbered by the line they start on when that differs from
    the record number (`_record_lines`, CSV only)."""
    if first_row == 1 or not con.execute("select count(*) from _record_lines").fetchone()[0]:
        con.execute("create or replace temp view _checked as select * from _checked_records")
        return
    con.execute(
        "create or replace temp view _checked as select coalesce(l.line, s._row_number)"
        " as _row_number, s.* exclude (_row_number) from _checked_records as s"
        " left join _record_lines as l on l.record = s._row_number"
    )


def _number_by_line(
    con: duckdb.DuckDBPyConnection, path: Path, dialect: Dialect, file_scan: Scan | None
) -> None:
    """DuckDB numbers records; the docs promise lines. They differ only where a quoted
    value spans lines, which the count of line breaks shows: then every record gets the
    line it starts on (`_record_lines`, read by `_checked`), and so does every malformed
    one."""
    con.execute("create or replace temp table _record_lines (record bigint, line bigint)")
    (records,) = con.execute(
        "select (select count(*) from _checked_rows) + coalesce((select sum(line_count)"
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


def matched_columns(con: duckdb.DuckDBPyConnection, table: Table) -> dict[str, str]:
    """Map lower-case column name -> the file's column name; reject missing required ones."""
    names = [row[0] for row in con.execute("describe _src").fetchall()]
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


def open_file(
    con: duckdb.DuckDBPyConnection, path: Path, dialect: Dialect, file_scan: Scan, folder: Path
) -> Source:
    """Open a landing file as the view `_src`, or reject it whole. `folder` holds a copy
    of the file DuckDB can read where one is needed (files.prepare) until read_checked."""
    if not readable(path):
        raise FileRejected(
            "not a file valuemap reads (.csv, .csv.gz or .parquet): export the table as CSV"
            " or Parquet, or move the file out of the table folder"
        )
    if not is_parquet(path) and path.stat().st_size == 0:
        raise FileRejected("empty file: no header row")
    if is_parquet(path):
        return _open_source(con, path, dialect, None)
    try:
        path, file_scan = prepare(path, file_scan, dialect.encoding, folder)
    except NotReadable as error:
        raise FileRejected(str(error)) from None
    return _open_source(con, path, dialect, file_scan)
