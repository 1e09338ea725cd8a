"""The dbt project as assets: models and seeds materialize, tests become asset checks."""

import json
import os
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.project import valuemap_project


class ValuemapTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "dbt"


def dbt_vars_args() -> list[str]:
    """Business parameters for this run, as JSON in VALUEMAP_DBT_VARS (docs/configuration.md)."""
    raw = os.environ.get("VALUEMAP_DBT_VARS", "").strip()
    if not raw:
        return []
    json.loads(raw)  # fail early, with the JSON error, on a malformed value
    return ["--vars", raw]


@dbt_assets(
    manifest=valuemap_project.manifest_path,
    project=valuemap_project,
    dagster_dbt_translator=ValuemapTranslator(),
)
def valuemap_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build", *dbt_vars_args()], context=context).stream()
