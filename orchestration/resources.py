"""Resources, configured from the environment (valuemap.settings)."""

from __future__ import annotations

import duckdb
from dagster import ConfigurableResource

from orchestration.project import dbt_resource
from valuemap.settings import Settings


class Warehouse(ConfigurableResource):
    """The DuckDB warehouse file and the machine budget DuckDB may use."""

    path: str
    published_path: str
    threads: int = 2
    memory_limit: str = "2.5GB"
    temp_directory: str  # where DuckDB spills; settings default it to <path>.tmp
    engine: str  # where dbt builds the models: duckdb (this file) or spark
    spark_dir: str  # on spark: raw exports, Spark's tables and metastore (valuemap/spark.py)
    held_attention_days: int = 7  # a held row older than this needs attention

    def duckdb_config(self) -> dict[str, str | int]:
        """The machine budget, for every DuckDB connection the job opens."""
        return {
            "threads": self.threads,
            "memory_limit": self.memory_limit,
            "temp_directory": self.temp_directory,
        }

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(self.path, read_only=read_only, config=self.duckdb_config())


class Landing(ConfigurableResource):
    """The landing folder (docs/contract.md)."""

    path: str


def build_resources() -> dict:
    """dbt reads the same VALUEMAP_WAREHOUSE in profiles.yml, so both use one file."""
    settings = Settings.from_env()
    return {
        "warehouse": Warehouse(
            path=str(settings.warehouse),
            published_path=str(settings.published),
            threads=settings.duckdb_threads,
            memory_limit=settings.duckdb_memory_limit,
            temp_directory=str(settings.duckdb_temp_directory),
            engine=settings.engine,
            spark_dir=str(settings.spark_dir),
            held_attention_days=settings.held_attention_days,
        ),
        "landing": Landing(path=str(settings.landing)),
        "dbt": dbt_resource(),
    }
