"""Great Expectations suites (expectations/marts/): run for real on DuckDB tables, and wired
into the job as blocking asset checks."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from tests.conftest import run_refresh, valuemap
from valuemap.bookkeeping import RESULTS_TABLE
from valuemap.expectations import (
    EXPECTATIONS_DIR,
    load_suites,
    validate,
)


def test_every_mart_suite_names_its_table_and_asset():
    suites = load_suites()
    assert len(suites) >= 10
    for suite in suites:
        assert suite.asset[0] == "marts"
        assert " from marts." in suite.meta["query"]


def test_a_warning_never_blocks(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.rpt_profit_curve_summary as select 950.0 as peak_cumulative_profit_pct"
    )
    (suite,) = [s for s in load_suites() if s.name.startswith("rpt_profit_curve_summary")]
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
    (suite,) = [s for s in load_suites() if s.name == "fct_cohort_retention"]
    assert validate(con, suite).failed == []
