"""Shared fixtures: tiny landing folders and real runs of the `valuemap` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.fixtures.relationships_landing import write_relationships_landing
from tests.fixtures.segments_landing import write_segments_landing
from tests.fixtures.tiny_landing import write_tiny_landing


def pytest_configure(config: pytest.Config) -> None:
    """Parse the dbt project once, before pytest-xdist starts its workers: each worker
    imports the Dagster definitions, which would otherwise all write target/ at once."""
    if not hasattr(config, "workerinput"):
        from orchestration.project import prepare_manifest

        prepare_manifest()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The Spark tests first: they are the longest file (two whole runs), and a worker
    that starts with them finishes with the other instead of after it."""
    items.sort(key=lambda item: item.get_closest_marker("spark") is None)


@dataclass(frozen=True)
class Run:
    landing: Path
    warehouse: Path
    published: Path
    result: subprocess.CompletedProcess

    def copy_to(self, folder: Path) -> Run:
        """The run's landing folder, build warehouse and published file, copied into
        `folder`, to run again on without touching the session's fixture."""
        folder.mkdir(parents=True, exist_ok=True)
        landing = shutil.copytree(self.landing, folder / "landing")
        warehouse = Path(shutil.copy(self.warehouse, folder / "warehouse.duckdb"))
        published = Path(shutil.copy(self.published, folder / "warehouse_published.duckdb"))
        return Run(Path(landing), warehouse, published, self.result)

    def query(self, sql: str, database: Path | None = None) -> list[tuple]:
        with duckdb.connect(str(database or self.published), read_only=True) as con:
            return con.execute(sql).fetchall()


def valuemap(
    *args: str, env: dict | None = None, timeout: int = 600
) -> subprocess.CompletedProcess:
    """Run the real command line in a fresh process (the Dagster definitions read their
    settings once per process, as a scheduler's run would)."""
    return subprocess.run(
        [sys.executable, "-m", "valuemap.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **(env or {})},
    )


def run_refresh(
    landing: Path, warehouse: Path, env: dict | None = None, engine: str | None = None
) -> Run:
    engine_args = ("--engine", engine) if engine else ()
    result = valuemap(
        "run", "--landing", str(landing), "--warehouse", str(warehouse), *engine_args, env=env
    )
    published = warehouse.with_name(warehouse.stem + "_published.duckdb")
    return Run(landing, warehouse, published, result)


def refresh_fixture(
    tmp_path_factory: pytest.TempPathFactory, name: str, write_landing: Callable[[Path], Path]
) -> Run:
    """A landing folder written by `write_landing`, run once through the whole job."""
    root = tmp_path_factory.mktemp(name)
    run = run_refresh(write_landing(root / "landing"), root / "warehouse.duckdb")
    assert run.result.returncode == 0, run.result.stderr[-3000:]
    return run


def by_key(rows: list[tuple]) -> dict:
    """Query rows keyed by their first column."""
    return {row[0]: row[1:] for row in rows}


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return refresh_fixture(tmp_path_factory, "tiny", write_tiny_landing)


@pytest.fixture(scope="session")
def segments_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return refresh_fixture(tmp_path_factory, "segments", write_segments_landing)


@pytest.fixture(scope="session")
def relationships_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return refresh_fixture(tmp_path_factory, "relationships", write_relationships_landing)


# Run history: a new run is a new snapshot, whatever the data.
RUN_HISTORY = {"fct_customer_snapshots", "fct_segment_migration"}
RUN_HISTORY_COLUMNS = {"entered_customer_count", "left_customer_count"}
# The load a row was built through: an incremental build keeps older rows' loads.
BOOKKEEPING_COLUMNS = {"loaded_through_load_id"}


def published_marts(published: Path) -> dict[str, list[tuple]]:
    """Every published mart but the run history and the bookkeeping, sorted, floats to 6
    decimals: what two runs on the same data must agree on."""
    with duckdb.connect(str(published), read_only=True) as con:
        columns: dict[str, list[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall():
            if column not in RUN_HISTORY_COLUMNS | BOOKKEEPING_COLUMNS:
                columns.setdefault(table, []).append(f'"{column}"')
        return {
            name: [
                tuple(round(v, 6) if isinstance(v, float) else v for v in row)
                for row in con.execute(
                    f"select {', '.join(selected)} from marts.{name} order by all"
                ).fetchall()
            ]
            for name, selected in columns.items()
            if name not in RUN_HISTORY
        }
