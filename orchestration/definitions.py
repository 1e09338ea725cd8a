from dagster import Definitions

from orchestration.assets.dbt import dbt_docs, valuemap_dbt_assets
from orchestration.assets.ingest import load_landing_files
from orchestration.assets.publish import customer_value_report, published_marts
from orchestration.checks.expectations import mart_expectations, raw_expectations
from orchestration.jobs import refresh_job
from orchestration.resources import build_resources
from orchestration.schedules import nightly_refresh

defs = Definitions(
    assets=[
        load_landing_files,
        valuemap_dbt_assets,
        dbt_docs,
        published_marts,
        customer_value_report,
    ],
    asset_checks=[raw_expectations, mart_expectations],
    jobs=[refresh_job],
    schedules=[nightly_refresh],
    resources=build_resources(),
)
