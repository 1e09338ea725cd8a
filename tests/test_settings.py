"""DuckDB's machine budget (threads, memory limit, spill folder) comes from the
environment, with defaults for a 2-core machine, and reaches the loader's connections."""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dagster_dbt import DbtCliResource
from packaging.version import Version

from orchestration.project import dbt_resource
from orchestration.resources import Warehouse
from valuemap.dbt_runs import DBT_EXECUTABLE, parse_error_line, seed_partial_parse
from valuemap.settings import PROJECT_ROOT, Settings


def test_duckdb_defaults_fit_a_small_machine(monkeypatch, tmp_path: Path) -> None:
    for name in ("THREADS", "MEMORY_LIMIT", "TEMP_DIRECTORY"):
        monkeypatch.delenv(f"VALUEMAP_DUCKDB_{name}", raising=False)
    monkeypatch.setenv("VALUEMAP_WAREHOUSE", str(tmp_path / "w.duckdb"))
    settings = Settings.from_env()
    assert settings.duckdb_threads == 2
    assert settings.duckdb_memory_limit == "2.5GB"
    assert settings.duckdb_temp_directory == tmp_path / "w.duckdb.tmp"


def test_duckdb_settings_reach_the_connection(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VALUEMAP_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("VALUEMAP_DUCKDB_THREADS", "1")
    monkeypatch.setenv("VALUEMAP_DUCKDB_MEMORY_LIMIT", "512MB")
    monkeypatch.setenv("VALUEMAP_DUCKDB_TEMP_DIRECTORY", str(tmp_path / "spill"))
    settings = Settings.from_env()
    warehouse = Warehouse(
        path=str(settings.warehouse),
        published_path=str(settings.published),
        threads=settings.duckdb_threads,
        memory_limit=settings.duckdb_memory_limit,
        temp_directory=str(settings.duckdb_temp_directory),
        engine=settings.engine,
        spark_dir=str(settings.spark_dir),
    )
    with warehouse.connect() as con:
        threads, memory, temp = con.execute(
            "select current_setting('threads'), current_setting('memory_limit'),"
            " current_setting('temp_directory')"
        ).fetchone()
    assert (threads, temp) == (1, str(tmp_path / "spill"))
    assert memory == "488.2 MiB"  # 512 MB, shown in MiB


def test_the_engine_and_the_spark_folder_follow_the_warehouse(monkeypatch, tmp_path: Path) -> None:
    for name in ("ENGINE", "SPARK_DIR", "PUBLISHED", "DUCKDB_TEMP_DIRECTORY"):
        monkeypatch.delenv(f"VALUEMAP_{name}", raising=False)
    monkeypatch.setenv("VALUEMAP_WAREHOUSE", str(tmp_path / "w.duckdb"))
    settings = Settings.from_env()
    assert settings.engine == "duckdb"
    assert settings.spark_dir == tmp_path / "w_spark"
    # `valuemap run --warehouse` moves everything named after the warehouse with it
    moved = settings.with_warehouse(tmp_path / "other" / "x.duckdb")
    assert moved.spark_dir == tmp_path / "other" / "x_spark"
    assert moved.duckdb_temp_directory == tmp_path / "other" / "x.duckdb.tmp"
    assert moved.published == tmp_path / "other" / "x_published.duckdb"
    monkeypatch.setenv("VALUEMAP_ENGINE", "Spark")
    assert Settings.from_env().engine == "spark"
    monkeypatch.setenv("VALUEMAP_ENGINE", "snowflake")
    with pytest.raises(ValueError, match="VALUEMAP_ENGINE='snowflake'"):
        Settings.from_env()


def test_duckdb_settings_reach_dbt_when_the_database_opens(tmp_path: Path) -> None:
    """dbt's own connection (profiles.yml) gets the same budget. The settings are
    connect-time options: dbt-duckdb repeats its `settings:` on every cursor, and once a
    model has spilled, DuckDB refuses to set temp_directory again; at 200k customers with
    a 3 GB limit every model after the first spill failed that way."""
    profile = yaml.safe_load((PROJECT_ROOT / "profiles.yml").read_text())
    duckdb_output = profile["valuemap"]["outputs"]["duckdb"]
    assert "temp_directory" in duckdb_output["config_options"]
    assert "temp_directory" not in (duckdb_output.get("settings") or {})
    shown = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "show",
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--project-dir",
            str(PROJECT_ROOT),
            "--target-path",
            str(tmp_path / "target"),
            "--inline",
            "select current_setting('memory_limit') as memory,"
            " current_setting('temp_directory') as spill, current_setting('threads') as threads",
            "--output",
            "json",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "VALUEMAP_WAREHOUSE": str(tmp_path / "w.duckdb"),
            "VALUEMAP_DUCKDB_THREADS": "1",
            "VALUEMAP_DUCKDB_MEMORY_LIMIT": "512MB",
            "VALUEMAP_DUCKDB_TEMP_DIRECTORY": str(tmp_path / "spill"),
        },
    )
    assert shown.returncode == 0, shown.stdout[-2000:] + shown.stderr[-2000:]
    (row,) = json.loads(shown.stdout[shown.stdout.index("{") :])["show"]
    assert row == {"memory": "488.2 MiB", "spill": str(tmp_path / "spill"), "threads": 1}


def test_dbt_commands_build_no_dbt_adapter_in_the_job_process() -> None:
    """dagster-dbt builds a dbt adapter in the job's own process before every dbt command
    (2.2 s: it loads all of dbt's macros), only for row counts and column metadata that
    the project does not fetch. The project's resource skips it; this fails if dagster-dbt
    stops calling the method the resource overrides, or if the override stops working."""
    assert "self._initialize_dbt_core_adapter(" in inspect.getsource(DbtCliResource.cli)
    invocation = dbt_resource().cli(["--version"])
    invocation.wait()
    assert invocation.is_successful()
    assert invocation.adapter is None
    # the version dagster-dbt asks `dbt --version` for, read from the installed package
    assert "self._cli_version" in inspect.getsource(DbtCliResource.cli)
    printed = subprocess.run([DBT_EXECUTABLE, "--version"], capture_output=True, text=True)
    installed = re.search(r"installed: (\d+\.\d+\.\d+)", printed.stdout)
    assert installed, printed.stdout
    assert dbt_resource()._cli_version == Version(installed.group(1))


def test_a_new_warehouse_starts_from_the_projects_parse(tmp_path: Path) -> None:
    """dbt parses the whole project again when a value of the connection changes, so every
    first build on a new warehouse file did (15 s of a 2,000-customer refresh, against 6 s).
    `valuemap-dbt` leaves the file's path and DuckDB settings out of that check, and the
    first build starts from the project's parse (valuemap/dbt_cli.py)."""
    assert Path(DBT_EXECUTABLE).name == "valuemap-dbt"

    def parse(target: Path, warehouse: Path, threads: str) -> str:
        parsed = subprocess.run(
            [
                DBT_EXECUTABLE,
                "parse",
                *("--profiles-dir", str(PROJECT_ROOT), "--project-dir", str(PROJECT_ROOT)),
                *("--target-path", str(target), "--log-path", str(target)),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env={
                **os.environ,
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "VALUEMAP_WAREHOUSE": str(warehouse),
                "VALUEMAP_DUCKDB_THREADS": threads,
            },
        )
        assert parsed.returncode == 0, parsed.stdout[-2000:] + parsed.stderr[-2000:]
        return (target / "dbt.log").read_text(encoding="utf-8")

    project = tmp_path / "project_target"
    parse(project, tmp_path / "a" / "warehouse.duckdb", "2")
    seed_partial_parse(project, tmp_path / "b" / "warehouse_dbt_target")
    log = parse(tmp_path / "b" / "warehouse_dbt_target", tmp_path / "b" / "warehouse.duckdb", "1")
    assert "Unable to do partial parsing" not in log
    assert "Partial parsing enabled" in log


def test_a_project_dbt_cannot_parse_is_named_in_one_line() -> None:
    """dbt's own output for a yml mistake (`dbt parse --quiet`, captured): the refresh's
    failure line keeps the file and the line, not the excerpt of it dbt prints after."""
    output = (
        "\x1b[0m04:27:25  Encountered an error:\n"
        "Parsing Error\n"
        "  Error reading valuemap: marts/profitability/_profitability__models.yml"
        " - Runtime Error\n"
        "    Syntax error near line 6\n"
        "    ------------------------------\n"
        "    5  |     bad: [unclosed\n"
    )
    assert parse_error_line(output) == (
        "Parsing Error Error reading valuemap: marts/profitability/_profitability__models.yml"
        " - Runtime Error Syntax error near line 6"
    )
