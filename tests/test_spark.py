"""The same project on Apache Spark (issue 8, README: Running on Spark).

The demo data runs through the whole job twice: on DuckDB, whose marts are also checked
on their own (the demo's skew, quadrants and reconciled pools), and with `--engine spark`
on a local pyspark, where dbt builds and tests every model. Every mart must come out the
same, row by row, to the cent (valuemap/compare.py).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.project import valuemap_project
from tests.conftest import Run, run_refresh, valuemap
from valuemap.compare import compare_marts

# Large enough that every mart has rows and every segment occurs; small enough for CI.
SCALE = ("--customers", "600", "--months", "24", "--seed", "7")


def require_spark() -> None:
    missing = [m for m in ("pyspark", "dbt.adapters.spark") if not _importable(m)]
    if shutil.which("java") is None:
        missing.append("java (JDK 17)")
    if not missing:
        return
    reason = f"Spark is not available: {', '.join(missing)} (./dev setup spark)"
    if os.environ.get("VALUEMAP_REQUIRE_SPARK"):
        pytest.fail(reason)
    pytest.skip(reason)


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Demo data through the whole job on DuckDB: checked on its own, and the reference
    the Spark run must equal."""
    root = tmp_path_factory.mktemp("engines")
    landing = root / "landing"
    generated = valuemap("generate", "--out", str(landing), *SCALE)
    assert generated.returncode == 0, generated.stderr
    run = run_refresh(landing, root / "duckdb" / "warehouse.duckdb")
    assert run.result.returncode == 0, run.result.stderr[-3000:]
    return run


@pytest.fixture(scope="module")
def engines(demo_run: Run) -> dict[str, Run]:
    require_spark()
    spark = run_refresh(
        demo_run.landing,
        demo_run.warehouse.parent.parent / "spark" / "warehouse.duckdb",
        engine="spark",
    )
    assert spark.result.returncode == 0, spark.result.stderr[-3000:]
    return {"duckdb": demo_run, "spark": spark}


def test_demo_data_runs_through_the_whole_pipeline(demo_run: Run) -> None:
    run = demo_run
    assert "whale curve peak" in run.result.stdout

    # the generated data follows the contract: nothing rejected
    assert run.query("select count(*) from raw._rejects", run.warehouse) == [(0,)]
    # realistic skew: loss customers pull the curve down from well above 100%
    ((peak, losers),) = run.query(
        "select peak_cumulative_profit_pct, loss_customer_count from marts.rpt_profit_curve_summary"
    )
    assert peak > 130 and losers > 0
    # all four quadrants are populated, and every pool reconciles
    quadrants = {
        r[0]
        for r in run.query(
            "select distinct margin_cost_quadrant from marts.fct_customer_profitability_window"
        )
    }
    assert {"carriage_trade", "passive", "bargain_basement", "aggressive"} <= quadrants
    assert run.query(
        "select max(abs(difference_amount)) from marts.fct_cost_pool_reconciliation"
    ) == [(0,)]
    # time-driven, conventional and facility-sustaining pools are all present
    kinds = {
        r[0]
        for r in run.query(
            "select distinct line_type || ':' || costing_method from marts.fct_cost_pool_reconciliation"
            " where unallocated_amount > 0 or unused_capacity_amount > 0 or allocated_amount > 0"
        )
    }
    assert {"activity:time_driven", "activity:conventional", "unused_capacity:time_driven"} <= kinds


@pytest.mark.slow
@pytest.mark.spark
def test_spark_builds_every_mart_as_duckdb_does(engines: dict[str, Run]) -> None:
    duck, spark = engines["duckdb"], engines["spark"]
    differences = compare_marts(duck.published, spark.published, valuemap_project.manifest_path)
    assert not differences, "\n".join(str(d) for d in differences)
    # The comparison had something to compare: every mart, with rows in the main ones.
    marts = dict(
        spark.query(
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'marts'"
        )
    )
    assert len(marts) == 31
    for mart in ("fct_cost_to_serve", "fct_customer_segments", "fct_profit_curve"):
        assert spark.query(f"select count(*) from marts.{mart}")[0][0] > 0


@pytest.mark.slow
@pytest.mark.spark
def test_spark_run_built_on_spark_and_published_for_bi(engines: dict[str, Run]) -> None:
    spark = engines["spark"]
    spark_dir = spark.warehouse.with_name("warehouse_spark")
    # dbt built the models as Spark tables, from the raw Parquet exports of the loader ...
    assert (spark_dir / "warehouse" / "marts.db" / "fct_cost_to_serve").is_dir()
    assert list((spark_dir / "raw" / "orders__order_lines").glob("_load_id=*/*.parquet"))
    log = (spark.warehouse.parent / "logs" / "refresh.log").read_text(encoding="utf-8")
    assert "target='spark'" in log
    # ... and BI reads them in the same published file and report as on DuckDB.
    assert spark.published.exists()
    assert spark.warehouse.with_name("warehouse_report.html").exists()
    assert re.search(r"engine +spark", spark.result.stdout)


def test_the_comparison_finds_a_cent(tmp_path: Path) -> None:
    """The cross-engine check itself: half a cent apart is the same, a cent is not, and a
    missing row or mart is reported."""
    manifest = valuemap_project.manifest_path

    def warehouse(name: str, profit: list[float], extra_mart: bool = False) -> Path:
        path = tmp_path / f"{name}.duckdb"
        with duckdb.connect(str(path)) as con:
            con.execute("create schema marts")
            con.execute(
                "create table marts.rpt_top_customers as select * from (values"
                + ", ".join(f"({i + 1}, 'C{i}', {p})" for i, p in enumerate(profit))
                + ") as t(revenue_rank, customer_id, net_profit_amount)"
            )
            if extra_mart:
                con.execute("create table marts.fct_concentration (measure varchar)")
        return path

    base = warehouse("base", [10.0, 20.0])
    assert compare_marts(base, warehouse("close", [10.004, 20.0]), manifest) == []
    [cent] = compare_marts(base, warehouse("cent", [10.01, 20.0]), manifest)
    assert cent.mart == "rpt_top_customers" and "1 of 2 rows differ" in cent.problem
    [fewer] = compare_marts(base, warehouse("fewer", [10.0]), manifest)
    assert "2 rows != 1 rows" in fewer.problem
    [extra] = compare_marts(base, warehouse("extra", [10.0, 20.0], extra_mart=True), manifest)
    assert extra.mart == "fct_concentration" and "only in the right" in extra.problem
