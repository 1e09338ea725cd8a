"""Publish the marts to the file BI reads.

DuckDB allows one writer per file and dbt holds the build file for the whole run, so
BI never opens it. The marts are copied into a new file next to the published one,
which then replaces it in one rename: readers see the old marts or the new ones,
never a mix, and a failed refresh never reaches this step.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from valuemap.sql import quote_identifier as _quote
from valuemap.sql import quote_literal as _literal

MARTS_SCHEMA = "marts"


def publish(warehouse: Path, published: Path) -> dict[str, int]:
    """Copy every table of the warehouse's `marts` schema; returns row counts per table."""
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(published.name + ".tmp")
    staging.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    with duckdb.connect(str(staging)) as con:
        con.execute(f"attach {_literal(str(warehouse))} as build (read_only)")
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables"
                " where table_catalog = 'build' and table_schema = ? order by table_name",
                [MARTS_SCHEMA],
            ).fetchall()
        ]
        con.execute(f"create schema {MARTS_SCHEMA}")
        for table in tables:
            con.execute(
                f"create table {MARTS_SCHEMA}.{_quote(table)} as"
                f" select * from build.{MARTS_SCHEMA}.{_quote(table)}"
            )
            counts[table] = con.execute(
                f"select count(*) from {MARTS_SCHEMA}.{_quote(table)}"
            ).fetchone()[0]
        con.execute("detach build")
        con.execute("checkpoint")
    os.replace(staging, published)
    return counts
