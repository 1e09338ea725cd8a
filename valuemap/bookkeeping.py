"""The warehouse's bookkeeping: the tables that record what was loaded, rejected, tested,
validated and published, and every query on them. The loader, the dbt assets, the
expectations, the publish step, the run summary and `valuemap status` read and write
them only through this module.

    raw._load_log          one row per file seen (and per settle of held rows)
    raw._rejects           one row per rejected value: file, line, column, reason
    raw._tested_loads      after a dbt build whose every test passed: the newest load it read
    raw._publications      the files this warehouse published (size, modification time)
    quality.validation_results   every Great Expectations result (published to BI)
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import duckdb

from valuemap.contract import Table

RESULTS_TABLE = "quality.validation_results"
PUBLICATIONS = "raw._publications"


def create_load_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The load log, the log of tested loads and the rejects table, if missing."""
    con.execute("create schema if not exists raw")
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


# ---------------------------------------------------------------- loads


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


def log_load(
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


def load_of_content(con: duckdb.DuckDBPyConnection, table: Table, content_hash: str) -> int | None:
    """The load that already brought a file with this content into this table, if any."""
    row = con.execute(
        "select load_id from raw._load_log where content_hash = ? and table_path = ?",
        [content_hash, table.path],
    ).fetchone()
    return row[0] if row else None


def record_file_rejected(
    con: duckdb.DuckDBPyConnection, load_id: int, table: Table, path: Path, reason: str
) -> None:
    """A file rejected whole: one reject without a line or column."""
    con.execute(
        "insert into raw._rejects values (?, ?, ?, null, null, ?, null)",
        [load_id, table.path, str(path), reason],
    )


def record_row_rejects(
    con: duckdb.DuckDBPyConnection, load_id: int, table: Table, path: Path, rejects: str
) -> None:
    """The rejects of a file's rows, from the table `rejects` (_row_number, column_name,
    reason, raw_value)."""
    con.execute(
        "insert into raw._rejects select ?, ?, ?, _row_number, column_name, reason, raw_value"
        f" from {rejects} order by _row_number, column_name",
        [load_id, table.path, str(path)],
    )


def log_settle(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    table: Table,
    messages: list[str],
    held: int,
    released: int,
) -> None:
    """A settle that moved held rows of a table (valuemap/held.py) is a load of its own,
    so the incremental models rebuild its months; a row held again replaced a loaded one."""
    con.execute(
        "insert into raw._load_log (load_id, table_path, file_path, content_hash,"
        " loaded_at, status, rows_read, rows_loaded, rows_rejected, message,"
        " rows_replaced, rows_held, rows_released)"
        " values (?, ?, '(held rows)', '', current_timestamp, 'settled', 0, 0, 0,"
        " ?, ?, ?, ?)",
        [load_id, table.path, "; ".join(messages), held, held, released],
    )


def tables_loaded_since(
    con: duckdb.DuckDBPyConnection, since: int, replacing: bool = False
) -> set[str]:
    """The landing tables with a load after `since`; `replacing`: one that replaced rows."""
    rows = con.execute(
        "select distinct table_path from raw._load_log where load_id > ?"
        + (" and rows_replaced > 0" if replacing else ""),
        [since],
    ).fetchall()
    return {path for (path,) in rows}


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


def files_rejected_since(con: duckdb.DuckDBPyConnection, since: datetime) -> list[str]:
    """The files rejected whole at or after `since`, as 'table/file (reason)'."""
    rows = con.execute(
        "select table_path, regexp_extract(file_path, '[^/]+$'), message"
        " from raw._load_log where status = 'rejected' and loaded_at >= ?"
        " order by load_id",
        [since],
    ).fetchall()
    return [f"{table}/{name} ({message})" for table, name, message in rows]


def load_counts_since(con: duckdb.DuckDBPyConnection, since: datetime | None) -> tuple:
    """Of the files loaded at or after `since`: (loaded, rejected whole, rows loaded, rows
    rejected, rows held, held rows released)."""
    return con.execute(
        "select count(*) filter (where status = 'loaded'),"
        " count(*) filter (where status = 'rejected'),"
        " coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0),"
        " coalesce(sum(rows_held) filter (where status <> 'settled'), 0),"
        " coalesce(sum(rows_released), 0)"
        " from raw._load_log where loaded_at >= ?",
        [since or datetime.min],
    ).fetchone()


def rejected_rows_by_table(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Every rejected row so far, counted per landing table ('crm/customers')."""
    return dict(
        con.execute("select table_path, count(*) from raw._rejects group by table_path").fetchall()
    )


# ---------------------------------------------------------------- publications


def create_publications_table(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    con.execute(
        f"create table if not exists {catalog}.{PUBLICATIONS}"
        " (published_at timestamp, published_file varchar, file_size bigint, file_mtime_ns bigint)"
    )


def last_publication(
    con: duckdb.DuckDBPyConnection, catalog: str, published: Path
) -> tuple[int, int] | None:
    """The size and modification time of the last file this warehouse published there."""
    row = con.execute(
        f"select file_size, file_mtime_ns from {catalog}.{PUBLICATIONS}"
        " where published_file = ? order by published_at desc limit 1",
        [str(published.resolve())],
    ).fetchone()
    return tuple(row) if row else None


def record_publication(
    con: duckdb.DuckDBPyConnection, catalog: str, published: Path, size: int, mtime_ns: int
) -> None:
    con.execute(
        f"insert into {catalog}.{PUBLICATIONS} values (current_timestamp, ?, ?, ?)",
        [str(published.resolve()), size, mtime_ns],
    )


# ---------------------------------------------------------------- validation results


def create_results_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists quality")
    con.execute(
        f"""
        create table if not exists {RESULTS_TABLE} (
            run_id varchar not null,
            validated_at timestamp not null,
            layer varchar not null,
            suite varchar not null,
            asset varchar not null,
            expectation_type varchar not null,
            column_name varchar,
            kwargs varchar not null,
            severity varchar not null,
            success boolean not null,
            rows_validated bigint not null,
            unexpected_count bigint not null,
            sample varchar,
            validated_through_load_id bigint
        )
        """
    )


def last_validated_load_id(con: duckdb.DuckDBPyConnection, suite_name: str) -> int:
    """The newest load of the last run in which the suite passed (no critical failure)."""
    create_results_table(con)
    ((value,),) = con.execute(
        f"select coalesce(max(validated_through_load_id), 0) from {RESULTS_TABLE}"
        " where suite = ? and run_id in (select run_id from " + RESULTS_TABLE + " where suite = ?"
        " group by run_id having bool_and(success or severity <> 'critical'))",
        [suite_name, suite_name],
    ).fetchall()
    return int(value)


def record_validation_results(con: duckdb.DuckDBPyConnection, rows: list[list]) -> None:
    """One row per expectation, in the columns of create_results_table."""
    create_results_table(con)
    con.executemany(
        f"insert into {RESULTS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
    )


def last_validation(con: duckdb.DuckDBPyConnection) -> tuple[str, datetime] | None:
    """The run id and time of the newest validation; None before the first."""
    exists = con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'quality' and table_name = 'validation_results'"
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute(
        f"select run_id, max(validated_at) from {RESULTS_TABLE}"
        " group by run_id order by 2 desc limit 1"
    ).fetchone()
    return tuple(row) if row else None


def failed_expectations(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple]:
    """The failed expectations of a validation run: (suite, expectation, column, severity,
    unexpected count)."""
    return con.execute(
        "select suite, expectation_type, column_name, severity, unexpected_count"
        f" from {RESULTS_TABLE} where run_id = ? and not success order by suite",
        [run_id],
    ).fetchall()
