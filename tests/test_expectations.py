"""Great Expectations suites (expectations/): generated from the contract, run for real on
DuckDB tables, and wired into the job as blocking asset checks."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from tests.conftest import run_refresh, valuemap
from valuemap.bookkeeping import RESULTS_TABLE
from valuemap.expectations import (
    EXPECTATIONS_DIR,
    Suite,
    expected_raw_files,
    load_suites,
    validate,
)
from valuemap.loader import ensure_raw_schema


def test_raw_suites_are_generated_from_the_contract():
    stale = [
        path.name
        for path, text in expected_raw_files().items()
        if not path.exists() or path.read_text() != text
    ]
    assert stale == [], f"run `python -m valuemap.expectations`; out of date: {stale}"


def test_every_mart_suite_names_its_table_and_asset():
    suites = load_suites("marts")
    assert len(suites) >= 10
    for suite in suites:
        assert suite.asset[0] == "marts"
        assert " from marts." in suite.meta["query"]


def raw_suite(name: str) -> Suite:
    return next(s for s in load_suites("raw") if s.name == name)


def test_raw_suite_finds_orphans_and_out_of_range_rows(tmp_path):
    """The loader would reject these rows; the suite is the second line if it did not."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_schema(con)
    con.execute(
        "insert into raw.crm__customers (customer_id, customer_name, created_date,"
        " kraljic_impact, _load_id, _row_number) values"
        " ('C1', 'A', date '2024-01-01', 3, 1, 2), ('C2', 'B', date '2024-01-01', 9, 1, 3)"
    )
    con.execute(
        "insert into raw.orders__orders values"
        " ('O1', 'C1', date '2026-01-01', 'edi', 'standard', 'completed', 2, 2, null),"
        " ('O2', 'C9', date '2026-01-01', 'edi', 'standard', 'completed', 2, 3, null)"
    )
    con.execute(
        "insert into raw._load_log (load_id, table_path, file_path, content_hash, loaded_at,"
        " status, rows_read, rows_loaded, rows_rejected, message, rows_replaced) values"
        " (1, 'crm/customers', 'c.csv', 'h1', now(), 'loaded', 2, 2, 0, '', 0),"
        " (2, 'orders/orders', 'o.csv', 'h2', now(), 'loaded', 2, 2, 0, '', 0)"
    )
    customers = validate(con, raw_suite("crm__customers"), since_load_id=0)
    (bad_score,) = customers.failed
    assert (bad_score.column, bad_score.unexpected_count) == ("kraljic_impact", 1)
    assert bad_score.sample == [{"customer_id": "C2", "kraljic_impact": 9}]

    orders = validate(con, raw_suite("orders__orders"), since_load_id=0)
    (orphan,) = orders.failed
    assert orphan.column == "_parent_of_customer_id"
    assert orphan.sample[0]["order_id"] == "O2"
    # only the rows of loads after the given one are validated
    assert validate(con, raw_suite("orders__orders"), since_load_id=2).rows_validated == 0


def test_a_warning_never_blocks(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.rpt_profit_curve_summary as select 950.0 as peak_cumulative_profit_pct"
    )
    (suite,) = [s for s in load_suites("marts") if s.name.startswith("rpt_profit_curve_summary")]
    outcome = validate(con, suite)
    assert len(outcome.failed) == 1 and outcome.blocking_failures == []


@pytest.mark.slow
def test_a_failed_blocking_expectation_stops_the_publish(tiny_run, tmp_path):
    suites = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, suites)
    segments = suites / "marts" / "fct_customer_segments.json"
    spec = json.loads(segments.read_text())
    spec["expectations"].append(
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "customer_class", "value_set": ["key_account"]},
            "meta": {},
            "severity": "critical",
        }
    )
    segments.write_text(json.dumps(spec))
    copy = tiny_run.copy_to(tmp_path / "run")
    warehouse, published = copy.warehouse, copy.published
    before = published.read_bytes()

    run = run_refresh(tiny_run.landing, warehouse, env={"VALUEMAP_EXPECTATIONS_DIR": str(suites)})

    assert run.result.returncode == 1
    reason = run.result.stderr.strip().splitlines()[-1]
    assert reason.startswith(
        "valuemap run failed: step mart_expectations failed: check gx_fct_customer_segments"
        " on marts/fct_customer_segments: expect_column_values_to_be_in_set on"
        " marts.fct_customer_segments.customer_class: 3 failing row(s)"
    ), reason
    assert published.read_bytes() == before
    # the outcome is kept, with the failing rows
    (failure,) = run.query(
        f"select column_name, unexpected_count, sample from {RESULTS_TABLE}"
        " where not success and suite = 'fct_customer_segments'",
        warehouse,
    )
    assert failure[:2] == ("customer_class", 3)
    status = valuemap("status", "--warehouse", str(warehouse), "--published", str(published))
    assert status.returncode == 1
    assert "critical fct_customer_segments: expect_column_values_to_be_in_set" in status.stdout
    assert {row["customer_id"] for row in json.loads(failure[2])} == {"C1", "C2", "C3"}


def test_great_expectations_makes_no_network_call(tmp_path, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError(f"network call: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_cohort_retention as select 2024 as acquisition_year_date,"
        " 1 as tenure_year, 100.0 as retention_pct"
    )
    (suite,) = [s for s in load_suites("marts") if s.name == "fct_cohort_retention"]
    assert validate(con, suite).failed == []
