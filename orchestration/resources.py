"""Resources, configured from the settings (valuemap.settings)."""

from __future__ import annotations

import duckdb
from dagster import ConfigurableResource

from orchestration.project import dbt_resource
from valuemap import warehouse
from valuemap.settings import Settings


class Warehouse(ConfigurableResource):
    """The DuckDB warehouse file and the machine budget DuckDB may use."""

    path: str
    published_path: str
    threads: int = warehouse.DEFAULT_THREADS
    memory_limit: str = warehouse.DEFAULT_MEMORY_LIMIT
    temp_directory: str  # where DuckDB spills; settings default it to <path>.tmp
    engine: str  # where dbt builds the models: duckdb (this file) or spark
    spark_dir: str  # on spark: raw exports, Spark's tables and metastore (valuemap/spark.py)
    # the defaults of valuemap.settings.Settings, which documents each
    held_attention_days: int = Settings.held_attention_days
    dbt_vars: str = Settings.dbt_vars
    gx_batch_rows: int = Settings.gx_batch_rows

    def duckdb_config(self) -> dict[str, str | int]:
        """The machine budget, for every DuckDB connection the job opens."""
        return warehouse.budget(self.threads, self.memory_limit, self.temp_directory)

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        return warehouse.connect(self.path, read_only=read_only, config=self.duckdb_config())

    def connect_published(self) -> duckdb.DuckDBPyConnection:
        return warehouse.connect(self.published_path, read_only=True, config=self.duckdb_config())


class Landing(ConfigurableResource):
    """The landing folder (docs/contract.md)."""

    path: str


def build_resources(settings: Settings) -> dict:
    """dbt reads the same VALUEMAP_WAREHOUSE in profiles.yml, so both use one file."""
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
            dbt_vars=settings.dbt_vars,
            gx_batch_rows=settings.gx_batch_rows,
        ),
        "landing": Landing(path=str(settings.landing)),
        "dbt": dbt_resource(),
    }
