"""Publish the marts to the files BI reads.

DuckDB allows one writer per file and dbt holds the build file for the whole run, so
BI never opens it. The marts (and the validation results) are copied into a new file
next to the published one, which then replaces it in one rename: readers see the old
marts or the new ones, never a mix, and a failed refresh never reaches this step.

The Parquet copies go to a new folder `<published>_parquet.<stamp>/` (one file per
mart); then the symlink `<published>_parquet` is switched to it in one rename, and the
folder it pointed to before is removed. A reader that resolves the link once reads one
consistent set.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import duckdb

from valuemap.settings import beside_warehouse
from valuemap.sql import quote_identifier as _quote
from valuemap.sql import quote_literal as _literal

MARTS_SCHEMA = "marts"
# BI tools and drivers often bundle DuckDB 1.x, which cannot open DuckDB 2.0's own
# format: the published file is written in the 1.2 storage format, which both read.
STORAGE_VERSION = "v1.2.0"
# What BI may read: the marts and the Great Expectations results (no raw or staging
# data, so no personal data).
PUBLISHED_SCHEMAS = (MARTS_SCHEMA, "quality")


def parquet_link(published: Path) -> Path:
    """The stable path of the Parquet copies: warehouse_published.duckdb -> warehouse_published_parquet."""
    return published.with_name(f"{published.stem}_parquet")


def docs_path(published: Path) -> Path:
    """The dbt docs folder (index.html opens offline): warehouse_published.duckdb -> warehouse_docs."""
    return beside_warehouse(published, "_docs")


def swap_in_folder(staging: Path, final: Path) -> None:
    """Replace `final` with the folder `staging` written beside it, by renames: a reader
    sees the old folder or the new one, never a half-written one."""
    old = final.with_name(final.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.replace(old)
    staging.replace(final)
    shutil.rmtree(old, ignore_errors=True)


def publish(warehouse: Path, published: Path) -> dict[str, int]:
    """Copy the published schemas of the warehouse; returns row counts per table."""
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(published.name + ".tmp")
    staging.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute(
            f"attach {_literal(str(staging))} as pub (storage_version {_literal(STORAGE_VERSION)})"
        )
        con.execute(f"attach {_literal(str(warehouse))} as build (read_only)")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = 'build' and table_schema in"
            f" ({', '.join(_literal(s) for s in PUBLISHED_SCHEMAS)})"
            " order by table_schema, table_name"
        ).fetchall()
        for schema in sorted({schema for schema, _ in tables}):
            con.execute(f"create schema pub.{_quote(schema)}")
        for schema, table in tables:
            name = f"{_quote(schema)}.{_quote(table)}"
            con.execute(f"create table pub.{name} as select * from build.{name}")
            (count,) = con.execute(f"select count(*) from pub.{name}").fetchall()[0]
            if schema == MARTS_SCHEMA:
                counts[table] = count
        con.execute("detach build")
        _write_parquet(con, published, [t for s, t in tables if s == MARTS_SCHEMA])
        con.execute("detach pub")
    os.replace(staging, published)
    return counts


def _write_parquet(con: duckdb.DuckDBPyConnection, published: Path, marts: list[str]) -> None:
    """Write every mart as Parquet into a new folder, then switch the link to it."""
    link = parquet_link(published)
    folder = link.with_name(f"{link.name}.{time.time_ns()}")
    folder.mkdir()
    for table in marts:
        target = _literal(str(folder / f"{table}.parquet"))
        con.execute(f"copy pub.{MARTS_SCHEMA}.{_quote(table)} to {target} (format parquet)")
    previous = link.resolve() if link.is_symlink() else None
    pending = link.with_name(link.name + ".new")
    pending.unlink(missing_ok=True)
    pending.symlink_to(folder.name)
    os.replace(pending, link)
    if previous is not None and previous != folder:
        shutil.rmtree(previous, ignore_errors=True)
