"""Where things are and how DuckDB may use the machine. Every setting comes from an
environment variable with a safe default (docs/configuration.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Settings:
    landing: Path
    warehouse: Path
    published: Path
    duckdb_threads: int
    duckdb_memory_limit: str
    duckdb_temp_directory: Path

    @classmethod
    def from_env(cls) -> Settings:
        warehouse = _path("VALUEMAP_WAREHOUSE", "data/warehouse.duckdb")
        return cls(
            landing=_path("VALUEMAP_LANDING", "data/landing"),
            warehouse=warehouse,
            # BI opens this copy, never the build file (one writer at a time in DuckDB).
            published=_path("VALUEMAP_PUBLISHED", str(published_path(warehouse))),
            duckdb_threads=int(os.environ.get("VALUEMAP_DUCKDB_THREADS", "2")),
            duckdb_memory_limit=os.environ.get("VALUEMAP_DUCKDB_MEMORY_LIMIT", "4GB"),
            # where DuckDB spills what does not fit in the memory limit (its own default)
            duckdb_temp_directory=_path(
                "VALUEMAP_DUCKDB_TEMP_DIRECTORY", str(warehouse.with_name(warehouse.name + ".tmp"))
            ),
        )

    def export(self) -> None:
        """Put the settings in the environment, for dbt's profile and for Dagster's resources."""
        os.environ["VALUEMAP_LANDING"] = str(self.landing)
        os.environ["VALUEMAP_WAREHOUSE"] = str(self.warehouse)
        os.environ["VALUEMAP_PUBLISHED"] = str(self.published)
        os.environ["VALUEMAP_DUCKDB_THREADS"] = str(self.duckdb_threads)
        os.environ["VALUEMAP_DUCKDB_MEMORY_LIMIT"] = self.duckdb_memory_limit
        os.environ["VALUEMAP_DUCKDB_TEMP_DIRECTORY"] = str(self.duckdb_temp_directory)
