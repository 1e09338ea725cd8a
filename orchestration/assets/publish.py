"""Publish: the marts BI reads, replaced only after dbt built them and all tests passed."""

from pathlib import Path

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from orchestration.assets.dbt import valuemap_dbt_assets
from orchestration.resources import Warehouse
from valuemap.publish import MARTS_SCHEMA, publish
from valuemap.report import write_report
from valuemap.warehouse import parquet_link

MART_KEYS = sorted(
    (key for key in valuemap_dbt_assets.keys if key.path[0] == MARTS_SCHEMA),
    key=lambda key: key.to_user_string(),
)


@asset(group_name="publish", deps=MART_KEYS, kinds={"duckdb"})
def published_marts(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    """The published DuckDB file (schemas `marts` and `quality`) and the Parquet copies of
    the marts, that BI tools open read-only."""
    counts = publish(
        Path(warehouse.path), Path(warehouse.published_path), warehouse.duckdb_config()
    )
    context.log.info(f"published {len(counts)} marts to {warehouse.published_path}")
    with warehouse.connect_published() as con:
        ((peak, difference),) = con.execute(
            "select (select peak_cumulative_profit_pct from marts.rpt_profit_curve_summary),"
            " (select coalesce(max(abs(difference_amount)), 0)"
            " from marts.fct_cost_pool_reconciliation)"
        ).fetchall()
    return MaterializeResult(
        metadata={
            "whale_curve_peak_pct": float(peak) if peak is not None else None,
            "reconciliation_max_difference": float(difference),
            "path": warehouse.published_path,
            "parquet": str(parquet_link(Path(warehouse.published_path))),
            "dagster/row_count": sum(counts.values()),
            **{f"rows.{table}": rows for table, rows in counts.items()},
        }
    )


@asset(group_name="publish", deps=[published_marts], kinds={"html"})
def customer_value_report(
    context: AssetExecutionContext, warehouse: Warehouse
) -> MaterializeResult:
    """The HTML report of the published marts (works offline: inline SVG charts)."""
    path = write_report(Path(warehouse.published_path), config=warehouse.duckdb_config())
    context.log.info(f"report written to {path}")
    return MaterializeResult(metadata={"path": MetadataValue.path(str(path))})


__all__ = ["MART_KEYS", "customer_value_report", "published_marts"]
