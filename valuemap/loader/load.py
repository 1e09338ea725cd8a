"""Load: each new landing file into the `raw` schema of the warehouse, enforcing the
contract, then settle the held rows.

Every file is read once (known by its SHA-256), every row of it is either loaded
into `raw.<source>__<table>`, held in `raw._held_<source>__<table>` until what it refers
to arrives, or written to `raw._rejects` with the line, column and reason; each file is
loaded in one transaction together with its line in `raw._load_log`: a crash leaves
either the whole file or nothing.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import duckdb

from valuemap.bookkeeping import (
    create_load_tables,
    load_of_content,
    log_load,
    newest_load_id,
    record_file_rejected,
    record_row_rejects,
    recorded_hash,
)
from valuemap.contract import LOAD_COLUMNS, TABLES, Table
from valuemap.held import (
    DEFAULT_HELD_ATTENTION_DAYS,
    ensure_held_tables,
    held_table,
    settle,
    write_held_rows,
)
from valuemap.loader.check import checked_select, collect_rejects, summarise_rejects
from valuemap.loader.files import is_parquet, scan
from valuemap.loader.find import Dialect, landing_files
from valuemap.loader.read import FileRejected, matched_columns, open_file, read_checked
from valuemap.sql import quote_identifier as _quote

log = logging.getLogger(__name__)


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


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables, the load log, the log of tested loads and the rejects table
    if they are missing."""
    con.execute("create schema if not exists raw")
    load_columns = ", ".join(f"{name} {sql_type}" for name, sql_type, _ in LOAD_COLUMNS)
    for table in TABLES:
        columns = ", ".join(f'"{c.name}" {c.raw_type}' for c in table.columns)
        con.execute(f"create table if not exists raw.{table.raw_name} ({columns}, {load_columns})")
    create_load_tables(con)
    ensure_held_tables(con)


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
    known = load_of_content(con, table, content_hash)
    if known:
        return FileResult(
            table.path, str(path), "skipped", message=f"already loaded (load {known})"
        )

    load_id = newest_load_id(con) + 1
    try:
        # Reading only fills temp tables; a file DuckDB cannot parse would abort a
        # transaction, so the transaction starts after it. One pass reads, types and
        # checks the file.
        try:
            with tempfile.TemporaryDirectory(prefix="valuemap-") as folder:
                source = open_file(con, path, dialect, file_scan or scan(path), Path(folder))
                columns = matched_columns(con, table)
                read_checked(con, source, checked_select(con, table, columns, dialect))
        except FileRejected as rejected:
            con.execute("begin transaction")
            record_file_rejected(con, load_id, table, path, str(rejected))
            log_load(
                con, load_id, table, path, stat, content_hash, "rejected", 0, 0, 0, str(rejected)
            )
            con.execute("commit")
            return FileResult(table.path, str(path), "rejected", message=str(rejected))

        con.execute("begin transaction")
        collect_rejects(con, table)
        con.execute(
            "insert into _row_rejects select line, column_name, reason, raw_value from _malformed"
        )
        record_row_rejects(con, load_id, table, path, "_row_rejects")
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
            " anti join _row_holds using (_row_number)"
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
        message = summarise_rejects(con) if rows_rejected or rows_held else ""
        log_load(
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
        for view in ("_valid", "_checked", "_checked_records", "_src"):
            con.execute(f"drop view if exists {view}")
        for temp in (
            "_checked_rows",
            "_checked_numbered",
            "_error_rows",
            "_row_rejects",
            "_row_holds",
            "_malformed",
        ):
            con.execute(f"drop table if exists {temp}")
    return FileResult(
        table.path, str(path), "loaded", rows_read, rows_loaded, rows_rejected, message, rows_held
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
