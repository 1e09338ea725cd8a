"""Ingest: every landing table of the contract into `raw.<source>__<table>`.

One multi-asset, because the loader checks references against tables loaded
before (customers before orders before order lines) and DuckDB has one writer.
Its asset keys, [source, table], are the keys dagster-dbt gives the dbt sources,
so the dbt models hang below them in the asset graph.
"""

import sys
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from orchestration.resources import Landing, Warehouse
from valuemap.bookkeeping import rejected_rows_by_table
from valuemap.contract import TABLES
from valuemap.held import held_summary
from valuemap.loader import LoadProgress, load_landing
from valuemap.spark import export_raw, raw_dir


def raw_asset_key(source: str, table: str) -> AssetKey:
    return AssetKey([source, table])


@multi_asset(
    specs=[
        AssetSpec(
            raw_asset_key(t.source, t.name),
            description=f"raw.{t.raw_name}: {t.description}",
            group_name="ingest",
            kinds={"duckdb"},
        )
        for t in TABLES
    ],
    name="load_landing_files",
)
def load_landing_files(context: AssetExecutionContext, warehouse: Warehouse, landing: Landing):
    landing_path = Path(landing.path)
    if not landing_path.is_dir():
        raise FileNotFoundError(f"landing folder {landing_path} does not exist")
    with warehouse.connect() as con:
        results = load_landing(
            con, landing_path, LoadProgress(sys.stderr), warehouse.held_attention_days
        )
        if warehouse.engine == "spark":
            # Spark reads the same validated rows, as Parquet (valuemap/spark.py).
            exported = export_raw(con, Path(warehouse.spark_dir))
            context.log.info(
                f"exported {sum(exported.values()):,} raw rows as Parquet for Spark"
                f" to {raw_dir(Path(warehouse.spark_dir))}"
            )
        totals = rejected_rows_by_table(con)
        held = {row[0]: row[1:] for row in held_summary(con, warehouse.held_attention_days)}
        for table in TABLES:
            mine = [r for r in results if r.table == table.path]
            rows = con.execute(f"select count(*) from raw.{table.raw_name}").fetchone()[0]
            rejected_now = sum(r.rows_rejected for r in mine)
            whole_files = [
                f"{Path(r.path).name}: {r.message}" for r in mine if r.status == "rejected"
            ]
            for problem in whole_files:
                context.log.warning(f"{table.path} file rejected: {problem}")
            if rejected_now:
                context.log.warning(
                    f"{table.path}: {rejected_now} row(s) rejected; see raw._rejects"
                )
            held_rows, oldest_days, needing_attention, _ = held.get(table.path, (0, 0, 0, 0))
            if held_rows:
                context.log.warning(
                    f"{table.path}: {held_rows} row(s) held, the oldest for {oldest_days}"
                    " day(s); see quality.held_rows"
                )
            yield MaterializeResult(
                asset_key=raw_asset_key(table.source, table.name),
                metadata={
                    "dagster/row_count": rows,
                    "files_loaded": sum(r.status == "loaded" for r in mine),
                    "files_skipped": sum(r.status == "skipped" for r in mine),
                    "files_rejected": len(whole_files),
                    "rows_loaded_now": sum(r.rows_loaded for r in mine),
                    "rows_rejected_now": rejected_now,
                    "rejects_total": totals.get(table.path, 0),
                    "rows_held_now": sum(r.rows_held for r in mine),
                    "rows_held_total": held_rows,
                    "rows_held_needing_attention": needing_attention,
                },
            )
