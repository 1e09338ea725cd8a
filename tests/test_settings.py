"""DuckDB's machine budget (threads, memory limit, spill folder) comes from the
environment, with defaults for a 2-core machine, and reaches the loader's connections."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.resources import Warehouse
from valuemap.settings import Settings


def test_duckdb_defaults_fit_a_small_machine(monkeypatch, tmp_path: Path) -> None:
    for name in ("THREADS", "MEMORY_LIMIT", "TEMP_DIRECTORY"):
        monkeypatch.delenv(f"VALUEMAP_DUCKDB_{name}", raising=False)
    monkeypatch.setenv("VALUEMAP_WAREHOUSE", str(tmp_path / "w.duckdb"))
    settings = Settings.from_env()
    assert settings.duckdb_threads == 2
    assert settings.duckdb_memory_limit == "4GB"
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
