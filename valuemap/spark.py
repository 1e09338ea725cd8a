"""Running the dbt project on Apache Spark (README: Running on Spark).

One loader, one set of models: the loader validates the landing files into DuckDB as
always (same contract checks, same rejects). On the `spark` engine it then exports the
raw tables as Parquet, one folder per table partitioned by load, which dbt's Spark target
reads as its sources (macros/spark_raw_sources.sql). After dbt has built and tested the
models on Spark, the marts come back into the DuckDB build file, so the mart checks, the
publish step and the report are the same for both engines.

Layout of the Spark folder (VALUEMAP_SPARK_DIR, default `<warehouse>_spark/`):
    raw/<source>__<table>/_load_id=<n>/*.parquet   the validated raw tables
    raw/_load_log/load_log.parquet                  the loader's log (dbt source loader.load_log)
    warehouse/<schema>.db/<table>/                  tables dbt builds (spark.sql.warehouse.dir)
    metastore_db/                                   the local Hive metastore (Derby)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from valuemap.contract import TABLES
from valuemap.publish import MARTS_SCHEMA, swap_in_folder
from valuemap.sql import quote_identifier as _quote
from valuemap.sql import quote_literal as _literal

RAW_SCHEMA = "raw"
LOAD_LOG = "_load_log"


def raw_dir(spark_dir: Path) -> Path:
    return spark_dir / "raw"


def tables_dir(spark_dir: Path, schema: str) -> Path:
    """Where Spark keeps a schema's managed tables (spark.sql.warehouse.dir in profiles.yml)."""
    return spark_dir / "warehouse" / f"{schema}.db"


def export_raw(con: duckdb.DuckDBPyConnection, spark_dir: Path) -> dict[str, int]:
    """Write every raw table of the contract as Parquet, partitioned by load; returns the
    rows per table. The folder is written beside the old one and swapped in at the end, so
    Spark never reads a half-written export."""
    final = raw_dir(spark_dir)
    staging = final.with_name(final.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    counts: dict[str, int] = {}
    for table in TABLES:
        relation = f"{RAW_SCHEMA}.{_quote(table.raw_name)}"
        folder = staging / table.raw_name
        (count,) = con.execute(f"select count(*) from {relation}").fetchone()
        if count:
            con.execute(
                f"copy {relation} to {_literal(str(folder))}"
                " (format parquet, partition_by (_load_id))"
            )
        else:
            # An empty table still needs one file to carry its columns to Spark.
            empty = folder / "_load_id=0"
            empty.mkdir(parents=True)
            con.execute(
                f"copy (select * exclude (_load_id) from {relation})"
                f" to {_literal(str(empty / 'empty.parquet'))} (format parquet)"
            )
        counts[table.raw_name] = count
    # The load log too: it is a dbt source (the incremental models read it on DuckDB).
    log = staging / LOAD_LOG
    log.mkdir()
    con.execute(
        f"copy {RAW_SCHEMA}.{LOAD_LOG} to {_literal(str(log / 'load_log.parquet'))} (format parquet)"
    )
    swap_in_folder(staging, final)
    return counts


def import_marts(con: duckdb.DuckDBPyConnection, spark_dir: Path) -> dict[str, int]:
    """Replace the marts of the DuckDB build file with the ones Spark built, in one
    transaction; returns the rows per mart."""
    folder = tables_dir(spark_dir, MARTS_SCHEMA)
    marts = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    if not marts:
        raise FileNotFoundError(f"Spark built no marts: {folder} has no tables")
    counts: dict[str, int] = {}
    con.execute("begin")
    try:
        con.execute(f"create schema if not exists {MARTS_SCHEMA}")
        for name in marts:
            files = f"read_parquet({_literal(str(folder / name / '*.parquet'))})"
            columns = ", ".join(
                # Spark's timestamps arrive as UTC instants; the DuckDB build has plain
                # timestamps (the session time zone of both is UTC)
                f"timezone('UTC', {_quote(column)}) as {_quote(column)}"
                if data_type == "TIMESTAMP WITH TIME ZONE"
                else _quote(column)
                for column, data_type, *_ in con.execute(
                    f"describe select * from {files}"
                ).fetchall()
            )
            con.execute(
                f"create or replace table {MARTS_SCHEMA}.{_quote(name)} as"
                f" select {columns} from {files}"
            )
            (counts[name],) = con.execute(
                f"select count(*) from {MARTS_SCHEMA}.{_quote(name)}"
            ).fetchone()
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return counts
