"""The one job that refreshes everything: load, dbt build (tests as checks), publish."""

from dagster import AssetSelection, define_asset_job, in_process_executor

# In-process: the steps share one machine and one DuckDB file anyway, and it runs a
# small refresh in about a third of the time of the multiprocess executor.
refresh_job = define_asset_job(
    name="refresh",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Nightly refresh: load new landing files, dbt build with tests, publish the marts.",
)
