"""Publish the marts to the files BI reads.

DuckDB allows one writer per file and dbt holds the build file for the whole run, so
BI never opens it. The marts (and the validation results) are copied into a new file
next to the published one, which then replaces it in one rename: readers see the old
marts or the new ones, never a mix, and a failed refresh never reaches this step.
The new file starts as a copy of the published one: the incremental marts (rows by
month, with loaded_through_load_id) then change only in the months rebuilt since, and
every other table is copied whole.

The Parquet copies go to a new folder `<published>_parquet.<stamp>/` (one file per
mart, money as doubles, which pandas reads as numbers rather than Decimal objects); then the symlink `<published>_parquet` is switched to it in one rename, and the
folder it pointed to before is removed. A reader that resolves the link once reads one
consistent set.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path

import duckdb

from valuemap.bookkeeping import create_publications_table, last_publication, record_publication
from valuemap.sql import quote_identifier as _quote
from valuemap.sql import quote_literal as _literal
from valuemap.warehouse import connect, parquet_link

MARTS_SCHEMA = "marts"
# BI tools and drivers often bundle DuckDB 1.x, which cannot open DuckDB 2.0's own
# format: the published file is written in the 1.2 storage format, which both read.
STORAGE_VERSION = "v1.2.0"
# What BI may read: the marts and the Great Expectations results (no raw or staging
# data, so no personal data).
PUBLISHED_SCHEMAS = (MARTS_SCHEMA, "quality")
# An incremental mart: rows by month, each with the load through which it was built.
_MONTHLY = {"month_start_date", "loaded_through_load_id"}


def swap_in_folder(staging: Path, final: Path) -> None:
    """Replace `final` with the folder `staging` written beside it, by renames: a reader
    sees the old folder or the new one, never a half-written one."""
    old = final.with_name(final.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.replace(old)
    staging.replace(final)
    shutil.rmtree(old, ignore_errors=True)


def publish(
    warehouse: Path, published: Path, config: Mapping[str, str | int] | None = None
) -> dict[str, int]:
    """Copy the published schemas of the warehouse; returns row counts per table. `config`
    is the DuckDB budget (threads, memory_limit, temp_directory): without it an in-memory
    connection may take 80% of the machine's memory and spills into `.tmp` of the
    current folder."""
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(published.name + ".tmp")
    staging.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with connect(config=config) as con:
        con.execute(f"attach {_literal(str(warehouse))} as build")
        create_publications_table(con, "build")
        # Start from the published file only if it is the one this warehouse wrote last.
        stamp = _file_stamp(published)
        if stamp is not None and stamp == last_publication(con, "build", published):
            shutil.copyfile(published, staging)
        con.execute(
            f"attach {_literal(str(staging))} as pub (storage_version {_literal(STORAGE_VERSION)})"
        )
        tables, previous = _columns(con, "build"), _columns(con, "pub")
        for schema, table in set(previous) - set(tables):
            con.execute(f"drop table pub.{_quote(schema)}.{_quote(table)}")
        for schema in sorted({schema for schema, _ in tables}):
            con.execute(f"create schema if not exists pub.{_quote(schema)}")
        for (schema, table), columns in tables.items():
            name = f"{_quote(schema)}.{_quote(table)}"
            if previous.get((schema, table)) == columns and _MONTHLY <= {c for c, _ in columns}:
                _publish_changed_months(con, name)
            else:
                con.execute(f"create or replace table pub.{name} as select * from build.{name}")
            (count,) = con.execute(f"select count(*) from pub.{name}").fetchall()[0]
            if schema == MARTS_SCHEMA:
                counts[table] = count
        _write_parquet(con, published, [t for s, t in tables if s == MARTS_SCHEMA])
        con.execute("detach pub")
        os.replace(staging, published)
        size, mtime_ns = _file_stamp(published)
        record_publication(con, "build", published, size, mtime_ns)
    return counts


def _file_stamp(path: Path) -> tuple[int, int] | None:
    if not path.exists():
        return None
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _columns(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[tuple[str, str], list]:
    """(schema, table) -> [(column, type), ...] of the published schemas of a database."""
    rows = con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns"
        f" where table_catalog = {_literal(catalog)} and table_schema in"
        f" ({', '.join(_literal(s) for s in PUBLISHED_SCHEMAS)})"
        " order by table_schema, table_name, ordinal_position"
    ).fetchall()
    tables: dict[tuple[str, str], list] = {}
    for schema, table, column, data_type in rows:
        tables.setdefault((schema, table), []).append((column, data_type))
    return tables


def _publish_changed_months(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Replace the months the build rebuilt since this copy was published (rows with a
    later load), and drop months the build no longer has."""
    con.execute(
        f"""
        create or replace temp table _changed_months as
        select distinct month_start_date from build.{name}
        where loaded_through_load_id
            > (select coalesce(max(loaded_through_load_id), -1) from pub.{name})
        """
    )
    con.execute(
        f"""
        delete from pub.{name}
        where month_start_date in (select month_start_date from _changed_months)
            or month_start_date not in (select distinct month_start_date from build.{name})
        """
    )
    con.execute(
        f"insert into pub.{name} select * from build.{name}"
        " where month_start_date in (select month_start_date from _changed_months)"
    )


def _write_parquet(con: duckdb.DuckDBPyConnection, published: Path, marts: list[str]) -> None:
    """Write every mart as Parquet into a new folder, then switch the link to it."""
    link = parquet_link(published)
    folder = link.with_name(f"{link.name}.{time.time_ns()}")
    folder.mkdir()
    for table in marts:
        target = _literal(str(folder / f"{table}.parquet"))
        # Money as doubles: pandas reads a Parquet decimal as one Python Decimal per value.
        columns = ", ".join(
            f"cast({_quote(name)} as double) as {_quote(name)}"
            if sql_type.startswith("DECIMAL")
            else _quote(name)
            for name, sql_type in con.execute(
                "select column_name, data_type from duckdb_columns()"
                " where database_name = 'pub' and schema_name = ? and table_name = ?"
                " order by column_index",
                [MARTS_SCHEMA, table],
            ).fetchall()
        )
        con.execute(
            f"copy (select {columns} from pub.{MARTS_SCHEMA}.{_quote(table)}) to {target}"
            " (format parquet)"
        )
    previous = link.resolve() if link.is_symlink() else None
    pending = link.with_name(link.name + ".new")
    pending.unlink(missing_ok=True)
    pending.symlink_to(folder.name)
    os.replace(pending, link)
    if previous is not None and previous != folder:
        shutil.rmtree(previous, ignore_errors=True)
