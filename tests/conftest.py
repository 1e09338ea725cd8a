"""Shared fixtures: tiny landing folders and real runs of the `valuemap` command."""

from __future__ import annotations

import fcntl
import json
import math
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
from valuemap.warehouse import published_path


def pytest_configure(config: pytest.Config) -> None:
    """Parse the dbt project once, before pytest-xdist starts its workers: each worker
    imports the Dagster definitions, which would otherwise all write target/ at once."""
    if not hasattr(config, "workerinput"):
        from orchestration.project import prepare_manifest

        prepare_manifest()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The Spark tests first: they are the longest file (two whole runs), and a worker
    that starts with them finishes with the other instead of after it. pytest-xdist
    keeps this order only with --no-loadscope-reorder (pyproject.toml); by default it
    starts with the files that have the most tests."""
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
    return Run(landing, warehouse, published_path(warehouse), result)


def shared_run(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Run]
) -> Run:
    """A run that `build` makes in a folder of its own: once per test session, not once
    per pytest-xdist worker or per caller. The first worker to ask builds it in the
    session's shared folder, under a lock the others wait on; each call then gets its
    own copy of the whole folder (tests open the warehouse read-write, and change it)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    basetemp = tmp_path_factory.getbasetemp()
    shared = (basetemp.parent if worker else basetemp) / f"shared_{name}"
    with open(f"{shared}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        outcome = shared / "outcome.json"
        if not outcome.exists():
            shutil.rmtree(shared, ignore_errors=True)
            run = build(shared)
            assert run.result.returncode == 0, run.result.stderr[-3000:]
            result = {"returncode": 0, "stdout": run.result.stdout, "stderr": run.result.stderr}
            outcome.write_text(json.dumps(result), encoding="utf-8")
    root = tmp_path_factory.mktemp(name)
    shutil.copytree(shared, root, symlinks=True, dirs_exist_ok=True)
    result = subprocess.CompletedProcess(args=[], **json.loads(outcome.read_text("utf-8")))
    warehouse = root / "warehouse.duckdb"
    return Run(root / "landing", warehouse, published_path(warehouse), result)


def refresh_fixture(
    tmp_path_factory: pytest.TempPathFactory, name: str, write_landing: Callable[[Path], Path]
) -> Run:
    """A landing folder written by `write_landing`, run once through the whole job."""
    return shared_run(
        tmp_path_factory,
        name,
        lambda shared: run_refresh(write_landing(shared / "landing"), shared / "warehouse.duckdb"),
    )


def tiny_second_night(tiny_run: Run, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The tiny run's whole folder (its Dagster history too), refreshed again with no new
    file: run once per session; each caller gets a copy of its own to go on with."""

    def build(shared: Path) -> Run:
        shutil.copytree(tiny_run.warehouse.parent, shared, symlinks=True)
        return run_refresh(shared / "landing", shared / "warehouse.duckdb")

    return shared_run(tmp_path_factory, "tiny_second_night", build)


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


class Close(float):
    """A float equal to another within a millionth (absolute) or a billionth (relative).
    DuckDB's threads add doubles up in no fixed order, so two runs on the same rows may
    differ in the last bits; rounding both to 6 decimals is not enough, as one may round
    up and the other down (812640.2208335 against 812640.2208334998)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, float) and math.isclose(self, other, rel_tol=1e-9, abs_tol=1e-6)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = float.__hash__


def published_marts(published: Path) -> dict[str, list[tuple]]:
    """Every published mart but the run history and the bookkeeping, sorted, floats as
    `Close`: what two runs on the same data must agree on."""
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
                tuple(Close(v) if isinstance(v, float) else v for v in row)
                for row in con.execute(
                    f"select {', '.join(selected)} from marts.{name} order by all"
                ).fetchall()
            ]
            for name, selected in columns.items()
            if name not in RUN_HISTORY
        }
