"""The command line as users and schedulers use it: `valuemap generate` and `valuemap run`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_refresh, valuemap
from valuemap.cli import _dbt_failure
from valuemap.warehouse import dbt_target_path

pytestmark = pytest.mark.slow


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def test_generator_is_deterministic_for_a_seed(tmp_path):
    for name in ("a", "b"):
        result = valuemap(
            "generate", "--out", str(tmp_path / name), "--customers", "150", "--months", "12"
        )
        assert result.returncode == 0, result.stderr
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    other = valuemap(
        "generate",
        "--out",
        str(tmp_path / "c"),
        "--customers",
        "150",
        "--months",
        "12",
        "--seed",
        "7",
    )
    assert other.returncode == 0
    assert tree_digest(tmp_path / "c") != tree_digest(tmp_path / "a")


def test_failed_run_exits_non_zero_and_keeps_the_published_marts(tiny_run, tmp_path):
    copy = tiny_run.copy_to(tmp_path)
    landing, warehouse, published = copy.landing, copy.warehouse, copy.published
    before = published.read_bytes()

    # A business parameter dbt cannot use: the models fail, the run stops before publish.
    run = run_refresh(
        landing, warehouse, env={"VALUEMAP_DBT_VARS": '{"analysis_end_date": "the 31st"}'}
    )
    assert run.result.returncode == 1
    reason = run.result.stderr.strip().splitlines()[-1]
    # the root cause: the model dbt could not build, with dbt's message
    assert reason.startswith("valuemap run failed: step valuemap_dbt_assets failed: dbt model")
    assert "int_analysis_window" in reason and "the 31st" in reason, reason
    assert published.read_bytes() == before


def test_a_failed_dbt_test_names_its_failing_rows(tiny_run, tmp_path):
    """The failure line of a failed dbt test shows the rows it found: for the grain and
    not-null test of a model (tests/dbt/generic/grain_and_not_null.sql), the column with
    nulls, or the duplicated key."""
    copy = tiny_run.copy_to(tmp_path)
    target = dbt_target_path(tiny_run.warehouse)
    (compiled,) = target.glob(
        "compiled/valuemap/models/**/grain_and_not_null_fct_cost_to_serve.sql"
    )
    with duckdb.connect(str(copy.warehouse)) as con:
        con.execute("update marts.fct_cost_to_serve set pool_id = null where rowid = 0")
    results = dbt_target_path(copy.warehouse) / "run_results.json"
    results.parent.mkdir(parents=True)
    node = {
        "unique_id": "test.valuemap.grain_and_not_null_fct_cost_to_serve.0",
        "status": "fail",
        "message": "Got 1 result, configured to fail if != 0",
        "compiled_code": compiled.read_text(),
    }
    results.write_text(json.dumps({"results": [node]}))
    assert _dbt_failure(copy.warehouse) == (
        "dbt test grain_and_not_null_fct_cost_to_serve.0: Got 1 result, configured to fail if"
        " != 0; first failing rows: failure=null values, column_name=pool_id, row_count=1"
    )
    with duckdb.connect(str(copy.warehouse)) as con:
        con.execute("update marts.fct_cost_to_serve set pool_id = 'P_CS' where pool_id is null")
        ((customer, activity, month),) = con.execute(
            "insert into marts.fct_cost_to_serve select * from marts.fct_cost_to_serve"
            " where rowid = 1 returning customer_id, cost_activity_id, month_start_date"
        ).fetchall()
    assert _dbt_failure(copy.warehouse).endswith(
        "first failing rows: failure=duplicate key,"
        " column_name=customer_id, cost_activity_id, month_start_date,"
        f" key_value={customer}, {activity}, {month}, row_count=2"
    )


def test_missing_landing_folder_is_a_clear_error(tmp_path):
    result = valuemap(
        "run", "--landing", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path / "w.duckdb")
    )
    assert result.returncode == 2
    assert "landing folder" in result.stderr and "does not exist" in result.stderr


def test_status_reports_the_published_marts_and_the_checks(tiny_run):
    result = valuemap("status", "--warehouse", str(tiny_run.warehouse))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "marts.fct_customer_segments" in result.stdout
    assert "0 file(s) with rejected rows" in result.stdout
    assert ": 0 failed" in result.stdout


def test_every_command_has_help():
    for command in ("generate", "run", "status", "report", "ui", "demo"):
        result = valuemap(command, "--help")
        assert result.returncode == 0 and "usage: valuemap" in result.stdout, command


def test_the_dagster_yaml_follows_the_warehouse_and_leaves_a_users_own_alone(tmp_path):
    from valuemap.cli import EARLIER_DAGSTER_YAML, prepare_dagster_home

    def base_dir(home: Path) -> str:
        return (home / "dagster.yaml").read_text().split("base_dir: ")[1].strip()

    home = prepare_dagster_home(tmp_path / "a" / "dagster_home")
    assert "KeptConnectionsEventLogStorage" in (home / "dagster.yaml").read_text()
    assert base_dir(home) == f'"{home.resolve()}/history/runs"'
    moved = tmp_path / "b" / "dagster_home"
    (tmp_path / "a").rename(tmp_path / "b")
    assert base_dir(prepare_dagster_home(moved)) == f'"{moved.resolve()}/history/runs"'
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "dagster.yaml").write_text(EARLIER_DAGSTER_YAML)
    assert (
        "KeptConnectionsEventLogStorage"
        in (prepare_dagster_home(earlier) / "dagster.yaml").read_text()
    )
    own = tmp_path / "own"
    own.mkdir()
    (own / "dagster.yaml").write_text("storage:\n  postgres: {}\n")
    assert (prepare_dagster_home(own) / "dagster.yaml").read_text() == "storage:\n  postgres: {}\n"
