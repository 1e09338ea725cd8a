"""The nightly refresh is incremental (issue 6, README: The nightly refresh): the monthly
driver quantities and revenue rebuild only the months of rows loaded since their last
build, and the marts come out as a full refresh of the same files would make them.
A corrected file that replaces rows rebuilds every month (the old row's month is gone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.delta import write_next_day
from tests.conftest import Run, published_marts, run_refresh
from tests.fixtures.tiny_landing import write_csv

MONTHLY_MODELS = ("int_driver_quantities__monthly", "int_customer_revenue__monthly")


def rebuilt_months(run: Run, model: str) -> list[str]:
    """The months the last build of a model wrote: their rows carry its newest load."""
    rows = run.query(
        f"select distinct cast(month_start_date as varchar) from intermediate.{model}"
        " where loaded_through_load_id = (select max(loaded_through_load_id)"
        f" from intermediate.{model}) order by 1",
        database=run.warehouse,
    )
    return [month for (month,) in rows]


@pytest.fixture(scope="module")
def nightly(tiny_run: Run, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The tiny fixture's warehouse, then one new day (1 April, after the last order on
    31 March) loaded and refreshed on it."""
    run = tiny_run.copy_to(tmp_path_factory.mktemp("nightly"))
    written = write_next_day(run.landing)
    assert written["orders/orders"] > 0
    nightly = run_refresh(run.landing, run.warehouse)
    assert nightly.result.returncode == 0, nightly.result.stderr[-3000:]
    return nightly


@pytest.mark.parametrize("model", MONTHLY_MODELS)
def test_a_new_day_rebuilds_only_its_month(nightly: Run, model: str) -> None:
    assert rebuilt_months(nightly, model) == ["2026-04-01"]
    # ... and the month before stays as the first run built it
    ((march_loads,),) = nightly.query(
        f"select count(distinct loaded_through_load_id) from intermediate.{model}"
        " where month_start_date = date '2026-03-01'",
        database=nightly.warehouse,
    )
    assert march_loads == 1


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
    for model in MONTHLY_MODELS:
        assert rebuilt_months(corrected, model) == ["2026-02-01", "2026-03-01", "2026-04-01"]
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
