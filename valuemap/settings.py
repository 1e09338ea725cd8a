"""Where things are and how DuckDB may use the machine. Every setting comes from an
environment variable with a safe default (docs/configuration.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from valuemap import warehouse as wh
from valuemap.held import DEFAULT_HELD_ATTENTION_DAYS

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(variable: str, default: str) -> Path:
    value = Path(os.environ.get(variable, default)).expanduser()
    return value if value.is_absolute() else (PROJECT_ROOT / value)


ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class Settings:
    landing: Path
    warehouse: Path
    published: Path
    duckdb_threads: int
    duckdb_memory_limit: str
    duckdb_temp_directory: Path
    # where dbt builds the models: the DuckDB file itself, or Spark (valuemap/spark.py)
    engine: str
    spark_dir: Path
    # Dagster's instance: the runs and their events (DAGSTER_HOME)
    dagster_home: Path = Path()
    # a row held longer than this (days) waiting for what it refers to needs attention
    held_attention_days: int = DEFAULT_HELD_ATTENTION_DAYS
    # business parameters for this run, as JSON (README: Business parameters)
    dbt_vars: str = ""
    # the Great Expectations suites (tests point it at a copy to break one)
    expectations_dir: Path = PROJECT_ROOT / "expectations"
    # rows per batch Great Expectations validates
    gx_batch_rows: int = 250_000
    # the nightly schedule
    refresh_cron: str = "0 2 * * *"
    timezone: str = "Europe/Amsterdam"

    @classmethod
    def from_env(cls) -> Settings:
        engine = os.environ.get("VALUEMAP_ENGINE", "duckdb").strip().lower()
        if engine not in ENGINES:
            raise ValueError(f"VALUEMAP_ENGINE={engine!r}: must be one of {', '.join(ENGINES)}")
        settings = cls(
            landing=_path("VALUEMAP_LANDING", "data/landing"),
            warehouse=Path(),
            published=Path(),
            duckdb_threads=int(os.environ.get("VALUEMAP_DUCKDB_THREADS", wh.DEFAULT_THREADS)),
            duckdb_memory_limit=os.environ.get(
                "VALUEMAP_DUCKDB_MEMORY_LIMIT", wh.DEFAULT_MEMORY_LIMIT
            ),
            duckdb_temp_directory=Path(),
            engine=engine,
            spark_dir=Path(),
            held_attention_days=int(
                os.environ.get("VALUEMAP_HELD_ATTENTION_DAYS", cls.held_attention_days)
            ),
            dbt_vars=os.environ.get("VALUEMAP_DBT_VARS", cls.dbt_vars).strip(),
            expectations_dir=_path("VALUEMAP_EXPECTATIONS_DIR", str(cls.expectations_dir)),
            gx_batch_rows=int(os.environ.get("VALUEMAP_GE_BATCH_ROWS", cls.gx_batch_rows)),
            refresh_cron=os.environ.get("VALUEMAP_REFRESH_CRON", cls.refresh_cron),
            timezone=os.environ.get("VALUEMAP_TIMEZONE", cls.timezone),
        )
        return settings.with_warehouse(_path("VALUEMAP_WAREHOUSE", "data/warehouse.duckdb"))

    def with_warehouse(self, warehouse: Path) -> Settings:
        """These settings for another build file: the paths named after it follow it,
        unless their own environment variable sets them."""
        return replace(
            self,
            warehouse=warehouse,
            # BI opens this copy, never the build file (one writer at a time in DuckDB).
            published=_path("VALUEMAP_PUBLISHED", str(wh.published_path(warehouse))),
            duckdb_temp_directory=_path(
                "VALUEMAP_DUCKDB_TEMP_DIRECTORY", str(wh.temp_path(warehouse))
            ),
            spark_dir=_path("VALUEMAP_SPARK_DIR", str(wh.spark_path(warehouse))),
            dagster_home=_path("DAGSTER_HOME", str(wh.dagster_home_path(warehouse))),
        )

    @property
    def budget(self) -> dict[str, str | int]:
        """The DuckDB budget of every connection (valuemap.warehouse.connect)."""
        return wh.budget(self.duckdb_threads, self.duckdb_memory_limit, self.duckdb_temp_directory)

    def export(self) -> None:
        """Put the settings in the environment, for dbt's profile and for Dagster's resources."""
        os.environ["VALUEMAP_LANDING"] = str(self.landing)
        os.environ["VALUEMAP_WAREHOUSE"] = str(self.warehouse)
        os.environ["VALUEMAP_PUBLISHED"] = str(self.published)
        os.environ["VALUEMAP_DUCKDB_THREADS"] = str(self.duckdb_threads)
        os.environ["VALUEMAP_DUCKDB_MEMORY_LIMIT"] = self.duckdb_memory_limit
        os.environ["VALUEMAP_DUCKDB_TEMP_DIRECTORY"] = str(self.duckdb_temp_directory)
        os.environ["VALUEMAP_ENGINE"] = self.engine
        os.environ["VALUEMAP_SPARK_DIR"] = str(self.spark_dir)
        os.environ["VALUEMAP_HELD_ATTENTION_DAYS"] = str(self.held_attention_days)
        os.environ["VALUEMAP_DBT_VARS"] = self.dbt_vars
        os.environ["VALUEMAP_EXPECTATIONS_DIR"] = str(self.expectations_dir)
        os.environ["VALUEMAP_GE_BATCH_ROWS"] = str(self.gx_batch_rows)
        os.environ["VALUEMAP_REFRESH_CRON"] = self.refresh_cron
        os.environ["VALUEMAP_TIMEZONE"] = self.timezone
