"""Where things are and how DuckDB may use the machine. Every setting comes from an
environment variable with a safe default (docs/configuration.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(variable: str, default: str) -> Path:
    value = Path(os.environ.get(variable, default)).expanduser()
    return value if value.is_absolute() else (PROJECT_ROOT / value)


def beside_warehouse(published: Path, suffix: str) -> Path:
    """A file or folder the refresh writes beside the warehouse, named after it:
    (warehouse_published.duckdb, "_report.html") -> warehouse_report.html."""
    return published.with_name(published.stem.replace("_published", "") + suffix)


def published_path(warehouse: Path) -> Path:
    """The copy BI reads sits next to the build file: warehouse.duckdb -> warehouse_published.duckdb."""
    return warehouse.with_name(f"{warehouse.stem}_published.duckdb")


ENGINES = ("duckdb", "spark")


def spark_path(warehouse: Path) -> Path:
    """Spark's raw exports, tables and metastore: warehouse.duckdb -> warehouse_spark/."""
    return warehouse.with_name(f"{warehouse.stem}_spark")


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
    # a row held longer than this (days) waiting for what it refers to needs attention
    held_attention_days: int = 7

    @classmethod
    def from_env(cls) -> Settings:
        engine = os.environ.get("VALUEMAP_ENGINE", "duckdb").strip().lower()
        if engine not in ENGINES:
            raise ValueError(f"VALUEMAP_ENGINE={engine!r}: must be one of {', '.join(ENGINES)}")
        settings = cls(
            landing=_path("VALUEMAP_LANDING", "data/landing"),
            warehouse=Path(),
            published=Path(),
            duckdb_threads=int(os.environ.get("VALUEMAP_DUCKDB_THREADS", "2")),
            duckdb_memory_limit=os.environ.get("VALUEMAP_DUCKDB_MEMORY_LIMIT", "2.5GB"),
            duckdb_temp_directory=Path(),
            engine=engine,
            spark_dir=Path(),
            held_attention_days=int(os.environ.get("VALUEMAP_HELD_ATTENTION_DAYS", "7")),
        )
        return settings.with_warehouse(_path("VALUEMAP_WAREHOUSE", "data/warehouse.duckdb"))

    def with_warehouse(self, warehouse: Path) -> Settings:
        """These settings for another build file: the paths named after it follow it,
        unless their own environment variable sets them."""
        return replace(
            self,
            warehouse=warehouse,
            # BI opens this copy, never the build file (one writer at a time in DuckDB).
            published=_path("VALUEMAP_PUBLISHED", str(published_path(warehouse))),
            # where DuckDB spills what does not fit in the memory limit
            duckdb_temp_directory=_path(
                "VALUEMAP_DUCKDB_TEMP_DIRECTORY", str(warehouse.with_name(warehouse.name + ".tmp"))
            ),
            spark_dir=_path("VALUEMAP_SPARK_DIR", str(spark_path(warehouse))),
        )

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
