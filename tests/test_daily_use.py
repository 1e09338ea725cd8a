"""Daily use: the Dagster instance keeps every run's history (read through Dagster's
instance API and through the real webserver's GraphQL), commands find the demo without
arguments, and the small frictions of a first hour stay fixed."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import tiny_second_night, valuemap
from tests.test_metrics import mf
from tests.test_ui import _graphql, running_ui
from valuemap import cli
from valuemap.settings import PROJECT_ROOT
from valuemap.warehouse import docs_path

pytestmark = pytest.mark.slow

PROFITABILITY_CHECK = ("marts/fct_customer_profitability", "gx_fct_customer_profitability")


@pytest.fixture(scope="module")
def two_nights(tiny_run, tmp_path_factory):
    """The tiny run's folder with its Dagster history, and a second night on it."""
    return tiny_second_night(tiny_run, tmp_path_factory)


def test_each_run_is_kept_in_the_dagster_instance_beside_the_warehouse(two_nights):
    from dagster import AssetCheckKey, AssetKey, DagsterInstance, DagsterRunStatus

    # This copy of the folder is opened as every valuemap command opens it. The second
    # night ran in another copy than the first, and found the first night's history there:
    # dagster.yaml follows the folder (valuemap/cli.py), or it would have written elsewhere.
    home = cli.prepare_dagster_home(two_nights.warehouse.parent / "dagster_home")
    with DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        assert type(storage).__name__ == "KeptConnectionsEventLogStorage"
        assert Path(storage._base_dir) == home.resolve() / "history" / "runs"
        runs = instance.get_runs()
        assert [(r.job_name, r.status) for r in runs] == [("refresh", DagsterRunStatus.SUCCESS)] * 2
        published = instance.get_latest_materialization_event(AssetKey("published_marts"))
        metadata = published.asset_materialization.metadata
        assert metadata["whale_curve_peak_pct"].value > 100
        assert metadata["reconciliation_max_difference"].value == 0
        assert published.run_id == runs[0].run_id  # the newest run
        asset, check = PROFITABILITY_CHECK
        history = instance.event_log_storage.get_asset_check_execution_history(
            AssetCheckKey(AssetKey(asset.split("/")), check), limit=10
        )
        assert [h.run_id for h in history] == [r.run_id for r in runs]


def test_the_ui_shows_the_runs_materializations_and_checks(two_nights, tmp_path):
    folder = ("--warehouse", str(two_nights.warehouse), "--landing", str(two_nights.landing))
    with running_ui(tmp_path / "ui.log", *folder) as port:
        runs = _graphql(
            port, "{ runsOrError { ... on Runs { results { runId status pipelineName } } } }"
        )["data"]["runsOrError"]["results"]
        assert [(r["status"], r["pipelineName"]) for r in runs] == [("SUCCESS", "refresh")] * 2
        node = _graphql(
            port,
            '{ assetNodes(assetKeys: [{path: ["published_marts"]}]) {'
            " assetMaterializations(limit: 5) { runId metadataEntries { label } } } }",
        )["data"]["assetNodes"][0]
        assert [m["runId"] for m in node["assetMaterializations"]] == [r["runId"] for r in runs]
        labels = {e["label"] for e in node["assetMaterializations"][0]["metadataEntries"]}
        assert {"whale_curve_peak_pct", "reconciliation_max_difference"} <= labels
        asset, check = PROFITABILITY_CHECK
        checks = _graphql(
            port,
            f"{{ assetNodes(assetKeys: [{{path: {json.dumps(asset.split('/'))}}}]) {{"
            " assetChecksOrError { ... on AssetChecks { checks { name"
            " executionForLatestMaterialization { status } } } } } }",
        )["data"]["assetNodes"][0]["assetChecksOrError"]["checks"]
        latest = {c["name"]: c["executionForLatestMaterialization"]["status"] for c in checks}
        assert latest[check] == "SUCCEEDED"


def test_status_report_and_ui_default_to_the_demo(tmp_path, monkeypatch, capsys):
    """After `./dev demo` there is no data/warehouse.duckdb: the commands that only look
    show the demo, and say so; `run` and a named warehouse are left alone."""
    demo = tmp_path / "data" / "demo"
    demo.mkdir(parents=True)
    (demo / "warehouse.duckdb").touch()
    monkeypatch.setattr("valuemap.settings.PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(cli, "DEMO_DIR", demo)
    for variable in (
        "VALUEMAP_WAREHOUSE",
        "VALUEMAP_LANDING",
        "VALUEMAP_PUBLISHED",
        "DAGSTER_HOME",
    ):
        monkeypatch.delenv(variable, raising=False)
    plain = argparse.Namespace(warehouse=None, published=None)
    shown = cli._settings(plain, demo_by_default=True)
    assert shown.warehouse == demo / "warehouse.duckdb"
    assert shown.published == demo / "warehouse_published.duckdb"
    assert shown.landing == demo / "landing"
    assert shown.dagster_home == demo / "dagster_home"
    assert "showing the demo" in capsys.readouterr().err
    assert cli._settings(plain).warehouse == tmp_path / "data" / "warehouse.duckdb"
    named = argparse.Namespace(warehouse=str(tmp_path / "mine.duckdb"), published=None)
    assert cli._settings(named, demo_by_default=True).warehouse == tmp_path / "mine.duckdb"
    (tmp_path / "data" / "warehouse.duckdb").touch()  # once there is one of your own
    assert (
        cli._settings(plain, demo_by_default=True).warehouse
        == tmp_path / "data" / "warehouse.duckdb"
    )


def test_a_report_to_a_missing_folder_is_one_line(tiny_run, tmp_path):
    out = tmp_path / "missing" / "r.html"
    result = valuemap("report", "--warehouse", str(tiny_run.warehouse), "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"valuemap report failed: cannot write {out}: the folder {out.parent} does not exist"
    )


def test_parquet_copies_give_pandas_numbers_for_money(tiny_run):
    link = tiny_run.published.with_name("warehouse_published_parquet")
    frame = pd.read_parquet(link / "fct_customer_profitability_window.parquet")
    assert frame["revenue_amount"].dtype == "float64"
    assert frame["revenue_amount"].sum() == pytest.approx(2850)  # tests/fixtures/tiny_landing.py


def test_the_dbt_docs_open_on_the_projects_overview(tiny_run):
    manifest = json.loads((docs_path(tiny_run.published) / "manifest.json").read_text())
    overview = manifest["docs"]["doc.valuemap.__overview__"]["block_contents"]
    assert "Where to start" in overview and "fct_customer_profitability_window" in overview


def test_the_readmes_metric_example_prints_years_in_order_and_whole_numbers(relationships_run):
    """Three years of orders (tests/fixtures/relationships_landing.py)."""
    stdout = mf(
        relationships_run.warehouse,
        *("query", "--metrics", "revenue,net_profit,net_margin_pct,customers"),
        *("--group-by", "metric_time__year", "--order", "metric_time__year", "--decimals", "0"),
    )
    years = [line.split()[0][:4] for line in stdout.splitlines() if line[:2] == "20"]
    assert years == ["2023", "2024", "2025"]
    assert "e+" not in stdout
    assert (
        "mf query --metrics revenue,net_profit,net_margin_pct,customers \\\n"
        in (PROJECT_ROOT / "README.md").read_text()
    )


def test_every_connection_is_opened_within_the_budget(tiny_run):
    from valuemap.warehouse import budget, connect

    with connect(tiny_run.published, read_only=True, config=budget(1, "1GB")) as con:
        assert con.execute("select current_setting('threads')").fetchone()[0] == 1
    with connect() as con:  # the default budget, not 80% of the machine
        assert con.execute("select current_setting('threads')").fetchone()[0] == 2
