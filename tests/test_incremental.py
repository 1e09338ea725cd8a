"""The nightly refresh is incremental (issue 6, README: The nightly refresh): the monthly
models rebuild only the months of rows loaded since their last build, the tests read only
rows no passing build has tested, the publish copies only the rebuilt months of the
incremental marts, and the marts come out as a full refresh of the same files would make
them. A corrected file that replaces rows rebuilds every month (the old row's month is
gone)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from benchmarks.delta import write_next_day
from orchestration.assets.dbt import DOCS_INPUTS_FILE, _docs_inputs
from orchestration.resources import Warehouse
from tests.conftest import Run, published_marts, run_refresh, tiny_second_night
from tests.fixtures.tiny_landing import write_csv
from valuemap.warehouse import dbt_target_path, docs_path

MONTHLY_MODELS = (
    "intermediate.int_driver_quantities__monthly",
    "intermediate.int_customer_revenue__monthly",
    "marts.fct_cost_to_serve",
    "marts.fct_customer_profitability",
)


def months_built_after(run: Run, model: str, load_id: int) -> list[str]:
    """The months of a model's rows built after a load: those its last build rewrote."""
    rows = run.query(
        f"select distinct cast(month_start_date as varchar) from {model}"
        f" where loaded_through_load_id > {load_id} order by 1",
        database=run.warehouse,
    )
    return [month for (month,) in rows]


def all_months(run: Run, model: str) -> list[str]:
    return months_built_after(run, model, -1)


def loads_tested(run: Run) -> list[int]:
    rows = run.query(
        "select tested_through_load_id from raw._tested_loads order by tested_at",
        database=run.warehouse,
    )
    return [load_id for (load_id,) in rows]


@pytest.fixture(scope="module")
def rerun(tiny_run: Run, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The tiny fixture's files and warehouse, refreshed again with no new file."""
    return tiny_second_night(tiny_run, tmp_path_factory)


def docs_generated_at(run: Run) -> str:
    catalog = json.loads((docs_path(run.published) / "catalog.json").read_text(encoding="utf-8"))
    return catalog["metadata"]["generated_at"]


@pytest.fixture(scope="module")
def docs_before_the_night(rerun: Run) -> str:
    return docs_generated_at(rerun)


@pytest.fixture(scope="module")
def nightly(rerun: Run, docs_before_the_night: str) -> Run:
    """Then one new day (1 April, after the last order on 31 March), loaded and
    refreshed on the same warehouse and published file."""
    written = write_next_day(rerun.landing)
    assert written["orders/orders"] > 0
    nightly = run_refresh(rerun.landing, rerun.warehouse)
    assert nightly.result.returncode == 0, nightly.result.stderr[-3000:]
    return nightly


def test_a_run_with_no_new_file_rebuilds_no_month(rerun: Run, tiny_run: Run) -> None:
    for model in MONTHLY_MODELS:
        ((loads,),) = rerun.query(
            f"select count(distinct loaded_through_load_id) from {model}", database=rerun.warehouse
        )
        assert loads == 1, model
    assert published_marts(rerun.published) == published_marts(tiny_run.published)


@pytest.mark.parametrize("model", MONTHLY_MODELS)
def test_a_new_day_rebuilds_only_its_month(nightly: Run, model: str) -> None:
    _, before, _ = loads_tested(nightly)
    # The fixture's cost pools end in March: April has no cost to allocate.
    april = [] if model == "marts.fct_cost_to_serve" else ["2026-04-01"]
    assert months_built_after(nightly, model, before) == april
    # ... and the month before stays as the first run built it
    ((march_loads,),) = nightly.query(
        f"select count(distinct loaded_through_load_id) from {model}"
        " where month_start_date = date '2026-03-01'",
        database=nightly.warehouse,
    )
    assert march_loads == 1


def test_the_nightly_tests_read_only_rows_of_new_loads(nightly: Run) -> None:
    """Each passing build records the newest load it tested; the next one's tests of a
    model with a load id read only later rows (macros/tests_on_new_rows.sql)."""
    first, rerun, latest = loads_tested(nightly)
    assert first == rerun < latest
    target = nightly.warehouse.with_name("warehouse_dbt_target") / "compiled" / "valuemap"
    (unique,) = target.glob("models/staging/orders/*/unique_stg_orders__orders_order_id.sql")
    assert f"_load_id > {rerun}" in unique.read_text()
    (grain,) = target.glob("models/marts/*/*/grain_and_not_null_fct_cost_to_serve.sql")
    assert f"loaded_through_load_id > {rerun}" in grain.read_text()


def test_the_nightly_build_leaves_out_tests_of_no_new_rows(nightly: Run) -> None:
    """A test that would read no rows passes, so the nightly build does not run it: the
    tests of staging views whose landing table had no new file (the night brought orders,
    order lines, deliveries, activities and complaints). The tests of the night's tables,
    of the incremental models downstream of them, of the seeds and the singular tests run."""
    results = json.loads((dbt_target_path(nightly.warehouse) / "run_results.json").read_text())
    assert results["args"]["which"] == "build"
    ran = {
        r["unique_id"].split(".")[2] for r in results["results"] if ".test." in f".{r['unique_id']}"
    }
    for name in (
        "unique_stg_crm__customers_customer_id",
        "unique_stg_crm__surveys_response_id",
        "unique_combination_of_columns_stg_costs__resource_pools_period__pool_id",
    ):
        assert name not in ran
    for name in (
        "unique_stg_orders__orders_order_id",
        "unique_stg_crm__complaints_complaint_id",
        "grain_and_not_null_fct_cost_to_serve",
        "grain_and_not_null_fct_customer_segments",
        "unique_whitney_policies_whitney_policy_code",
        "assert_cost_pools_reconcile_to_the_cent",
    ):
        assert name in ran
    # Dagster hears of the tests left out as passed, so no check goes missing.
    output = nightly.result.stdout + nightly.result.stderr
    assert "emitted no result" not in output


def test_the_incremental_marts_equal_a_full_refresh(nightly: Run, tmp_path: Path) -> None:
    full = run_refresh(nightly.landing, tmp_path / "full" / "warehouse.duckdb")
    assert full.result.returncode == 0, full.result.stderr[-3000:]
    incremental, rebuilt = published_marts(nightly.published), published_marts(full.published)
    assert incremental.keys() == rebuilt.keys()
    for mart in rebuilt:
        assert incremental[mart] == rebuilt[mart], mart


def test_a_corrected_file_rebuilds_every_month(nightly: Run, tmp_path: Path) -> None:
    """Order O2 (customer C1, rush, 5 x P1 at 100) moves from 20 March to 27 February."""
    run = nightly.copy_to(tmp_path / "corrected")
    write_csv(
        run.landing / "orders" / "orders" / "orders_correction.csv",
        [
            {
                "order_id": "O2",
                "customer_id": "C1",
                "order_date": "2026-02-27",
                "channel": "phone",
                "delivery_type": "rush",
                "status": "completed",
            }
        ],
    )
    corrected = run_refresh(run.landing, run.warehouse)
    assert corrected.result.returncode == 0, corrected.result.stderr[-3000:]
    *_, before = loads_tested(nightly)
    for model in MONTHLY_MODELS:
        assert months_built_after(corrected, model, before) == all_months(corrected, model)
    for model in MONTHLY_MODELS[:2]:
        assert all_months(corrected, model) == ["2026-02-01", "2026-03-01", "2026-04-01"]
    quantities = dict(
        corrected.query(
            "select cast(month_start_date as varchar) || ' ' || driver, driver_quantity"
            " from intermediate.int_driver_quantities__monthly where customer_id = 'C1'"
            " and driver in ('orders', 'rush_orders')",
            database=corrected.warehouse,
        )
    )
    assert quantities == {
        "2026-02-01 orders": 1,
        "2026-02-01 rush_orders": 1,
        "2026-03-01 orders": 1,
    }
    ((february_sales,),) = corrected.query(
        "select gross_sales_amount from intermediate.int_customer_revenue__monthly"
        " where customer_id = 'C1' and month_start_date = date '2026-02-01'",
        database=corrected.warehouse,
    )
    assert february_sales == 500


def test_a_night_that_only_adds_rows_keeps_the_docs(
    tiny_run: Run, nightly: Run, docs_before_the_night: str
) -> None:
    """The docs site shows the project and the warehouse's tables and columns, not rows:
    the night's new rows leave it as the run before wrote it. And what the first, full
    build wrote is what the incremental builds after it see, though the copy's new
    warehouse path made dbt parse again."""
    assert docs_generated_at(nightly) == docs_before_the_night
    first, nights = (docs_path(r.published) / DOCS_INPUTS_FILE for r in (tiny_run, nightly))
    assert first.read_text() == nights.read_text()


def test_the_docs_are_regenerated_when_what_they_show_changes(tiny_run, tmp_path):
    """Other vars, or a table of the project with another column, give other docs inputs."""
    warehouse_file = Path(shutil.copy(tiny_run.warehouse, tmp_path / "warehouse.duckdb"))
    manifest = dbt_target_path(tiny_run.warehouse) / "manifest.json"
    warehouse = Warehouse(
        path=str(warehouse_file),
        published_path=str(tmp_path / "warehouse_published.duckdb"),
        temp_directory=str(tmp_path / "spill"),
        engine="duckdb",
        spark_dir=str(tmp_path / "spark"),
    )
    first = _docs_inputs(manifest, warehouse)
    assert first is not None and _docs_inputs(manifest, warehouse) == first
    other_vars = warehouse.model_copy(update={"dbt_vars": '{"strategic_min_score": 4}'})
    assert _docs_inputs(manifest, other_vars) not in (None, first)
    # the loader's and the publish step's own tables are not in the docs
    with duckdb.connect(str(warehouse_file)) as con:
        con.execute("create table raw._bookkeeping_of_a_later_step (x integer)")
    assert _docs_inputs(manifest, warehouse) == first
    with duckdb.connect(str(warehouse_file)) as con:
        con.execute("alter table marts.fct_profit_curve add column extra integer")
    assert _docs_inputs(manifest, warehouse) not in (None, first)
    spark = warehouse.model_copy(update={"engine": "spark"})
    assert _docs_inputs(manifest, spark) is None
