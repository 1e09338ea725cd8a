"""The warehouse: the only code that opens DuckDB, always within the machine budget, and
the one place that names every file and folder derived from the warehouse file.

    data/warehouse.duckdb                  the build file (the loader and dbt write it)
    data/warehouse.duckdb.lock             held by the running refresh (valuemap run)
    data/warehouse.duckdb.tmp/             where DuckDB spills (VALUEMAP_DUCKDB_TEMP_DIRECTORY)
    data/warehouse_published.duckdb        what BI opens (VALUEMAP_PUBLISHED)
    data/warehouse_published_parquet       a link to the Parquet copies of the marts
    data/warehouse_report.html             the report
    data/warehouse_docs/                   the dbt docs
    data/warehouse_dbt_target/             dbt's target folder for this warehouse's runs
    data/warehouse_spark/                  on Spark: raw exports, tables, metastore
    data/dagster_home/                     Dagster's runs, materializations and check results
    data/logs/                             one log per refresh, refresh.log the newest
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb

# The default budget (docs/configuration.md): two threads and 2.5 GB, on every connection.
DEFAULT_THREADS = 2
DEFAULT_MEMORY_LIMIT = "2.5GB"


def budget(
    threads: int = DEFAULT_THREADS,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    temp_directory: Path | str | None = None,
) -> dict[str, str | int]:
    """DuckDB's settings for the share of the machine it may use; without a temp directory
    DuckDB spills beside the file it opened."""
    config: dict[str, str | int] = {"threads": threads, "memory_limit": memory_limit}
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    return config


def connect(
    path: Path | str | None = None,
    *,
    read_only: bool = False,
    config: Mapping[str, str | int] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB file (None: an in-memory database) within `config` (budget()),
    by default the default budget: an unbounded connection takes 80% of the memory and
    every core."""
    return duckdb.connect(
        ":memory:" if path is None else str(path),
        read_only=read_only,
        config=dict(config if config is not None else budget()),
    )


# ---------------------------------------------------------------- paths


def published_path(warehouse: Path) -> Path:
    """The copy BI reads, next to the build file: warehouse.duckdb -> warehouse_published.duckdb."""
    return warehouse.with_name(f"{warehouse.stem}_published.duckdb")


def temp_path(warehouse: Path) -> Path:
    """Where DuckDB spills what does not fit in the memory limit: warehouse.duckdb.tmp/."""
    return warehouse.with_name(warehouse.name + ".tmp")


def lock_path(warehouse: Path) -> Path:
    """Held by the refresh running on the warehouse: warehouse.duckdb.lock."""
    return warehouse.with_name(warehouse.name + ".lock")


def spark_path(warehouse: Path) -> Path:
    """Spark's raw exports, tables and metastore: warehouse.duckdb -> warehouse_spark/."""
    return warehouse.with_name(f"{warehouse.stem}_spark")


def dbt_target_path(warehouse: Path | str) -> Path:
    """The dbt target folder of a warehouse's refreshes, beside it, overwritten by each run
    (runs on one warehouse cannot overlap: DuckDB has one writer). The docs reuse the
    build's compiled manifest and partial parse, and target/ gains no folder per run."""
    path = Path(warehouse)
    return path.with_name(f"{path.stem}_dbt_target")


def dagster_home_path(warehouse: Path) -> Path:
    """The Dagster instance of the warehouse's refreshes (runs, materializations, check
    results), which `valuemap ui` shows: <warehouse folder>/dagster_home."""
    return warehouse.parent / "dagster_home"


def logs_path(warehouse: Path) -> Path:
    """The refreshes' logs: <warehouse folder>/logs."""
    return warehouse.parent / "logs"


def beside_published(published: Path, suffix: str) -> Path:
    """A file or folder the refresh writes beside the published file, named after the
    warehouse: (warehouse_published.duckdb, "_report.html") -> warehouse_report.html."""
    return published.with_name(published.stem.replace("_published", "") + suffix)


def report_path(published: Path) -> Path:
    """warehouse_published.duckdb -> warehouse_report.html, next to it."""
    return beside_published(published, "_report.html")


def docs_path(published: Path) -> Path:
    """The dbt docs folder (index.html opens offline): warehouse_published.duckdb -> warehouse_docs."""
    return beside_published(published, "_docs")


def parquet_link(published: Path) -> Path:
    """The stable path of the Parquet copies: warehouse_published.duckdb -> warehouse_published_parquet."""
    return published.with_name(f"{published.stem}_parquet")
