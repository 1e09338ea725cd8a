"""The code location: its settings are read from the environment here, once, and passed
to the resources, the checks and the schedule."""

from dagster import Definitions

from orchestration.assets.dbt import dbt_docs, valuemap_dbt_assets
from orchestration.assets.ingest import load_landing_files
from orchestration.assets.publish import customer_value_report, published_marts
from orchestration.checks.expectations import expectation_checks
from orchestration.jobs import refresh_job
from orchestration.resources import build_resources
from orchestration.schedules import nightly_refresh
from valuemap.settings import Settings

settings = Settings.from_env()

defs = Definitions(
    assets=[
        load_landing_files,
        valuemap_dbt_assets,
        dbt_docs,
        published_marts,
        customer_value_report,
    ],
    asset_checks=expectation_checks(settings.expectations_dir),
    jobs=[refresh_job],
    schedules=[nightly_refresh(settings)],
    resources=build_resources(settings),
)
