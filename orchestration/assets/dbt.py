"""The dbt project as assets: models and seeds materialize, tests become asset checks."""

import functools
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.project import valuemap_project
from orchestration.resources import Warehouse
from valuemap.bookkeeping import newest_load_id, record_tested_loads, tables_loaded_since_tested
from valuemap.dbt_runs import (
    DOCS_ARTIFACTS,
    DOCS_INPUTS_FILE,
    cached_docs_site,
    dbt_vars_args,
    docs_inputs,
    is_docs_site,
    keep_docs_site,
    seed_partial_parse,
    tests_reading_no_rows,
)
from valuemap.expectations import import_gx_in_background
from valuemap.publish import swap_in_folder
from valuemap.spark import import_marts
from valuemap.warehouse import dbt_target_path, docs_path


class ValuemapTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "dbt"


@dbt_assets(
    manifest=valuemap_project.manifest_path,
    project=valuemap_project,
    dagster_dbt_translator=ValuemapTranslator(),
)
def valuemap_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    # Unit tests check the SQL, not the data: CI runs them (tests/test_dbt_unit_tests.py),
    # the nightly build does not.
    build = ["build", "--exclude-resource-type", "unit_test", *dbt_vars_args(warehouse.dbt_vars)]
    target = dbt_target_path(warehouse.path)
    with warehouse.connect() as con:
        through = newest_load_id(con)
        loaded = tables_loaded_since_tested(con) if warehouse.engine == "duckdb" else None
    no_rows = [] if loaded is None else tests_reading_no_rows(_manifest(), loaded)
    if no_rows:
        # one value: dagster-dbt splits it on spaces into dbt's --exclude
        build += ["--exclude", " ".join(no_rows)]
    seed_partial_parse(valuemap_project.target_path, target)
    # This process mostly waits on dbt's: the mart checks after it will find GX imported.
    import_gx_in_background()
    yield from dbt.cli(build, context=context, target_path=target).stream()
    # What dbt would have said of a test of no rows: it passed. Said here, so the checks
    # do not go missing and nothing downstream waits on them.
    not_run = set(no_rows)
    for spec in context.assets_def.check_specs:
        if spec.name in not_run and spec.key in context.selected_asset_check_keys:
            yield AssetCheckResult(
                asset_key=spec.asset_key,
                check_name=spec.name,
                passed=True,
                description="not run: no rows loaded since the last passing build",
                metadata={"rows_tested": 0},
            )
    # Every test passed (a failed one raised above): the next build tests only the rows of
    # later loads (macros/tests_on_new_rows.sql). Not after a part of the project.
    if not context.is_subset:
        with warehouse.connect() as con:
            record_tested_loads(con, context.run.run_id, through)
    if warehouse.engine == "spark":
        # Only after every model and test passed on Spark: the marts come into the build
        # file, where the mart checks and the publish step read them (valuemap/spark.py).
        with warehouse.connect() as con:
            counts = import_marts(con, Path(warehouse.spark_dir))
        context.log.info(f"imported {len(counts)} marts from Spark into {warehouse.path}")


@functools.cache
def _manifest() -> dict[str, Any]:
    return json.loads(valuemap_project.manifest_path.read_text(encoding="utf-8"))


@asset(group_name="publish", deps=list(valuemap_dbt_assets.keys), kinds={"dbt"})
def dbt_docs(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse
) -> MaterializeResult:
    """The dbt docs site (every source, model and column, with the catalog of the warehouse
    just built): `dbt docs generate --static`, whose index.html opens offline, beside the
    manifest.json and catalog.json that catalog tools read."""
    out = docs_path(Path(warehouse.published_path))
    target = dbt_target_path(warehouse.path)
    inputs = _docs_inputs(target / "manifest.json", warehouse)
    regenerate = (
        inputs is None
        or not is_docs_site(out)
        or (out / DOCS_INPUTS_FILE).read_text(encoding="utf-8") != inputs
    )
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    generated = False
    if not regenerate:
        context.log.info(f"dbt docs unchanged: the project, vars and tables are as at {out}")
    elif inputs is not None and cached_docs_site(inputs, staging):
        context.log.info("dbt docs: the site of another warehouse with the same inputs")
        swap_in_folder(staging, out)
    else:
        # The build left its compiled manifest and partial parse in the refresh target; the
        # same vars keep the partial parse valid.
        dbt.cli(
            ["docs", "generate", "--no-compile", "--static", *dbt_vars_args(warehouse.dbt_vars)],
            target_path=target,
        ).wait()
        generated = True
        staging.mkdir(parents=True)
        shutil.copy(target / "static_index.html", staging / "index.html")
        for name in DOCS_ARTIFACTS:
            shutil.copy(target / name, staging / name)
        if inputs is not None:
            (staging / DOCS_INPUTS_FILE).write_text(inputs, encoding="utf-8")
            keep_docs_site(inputs, staging)
        swap_in_folder(staging, out)
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(out / "index.html")),
            "regenerated": regenerate,
            "generated_by_dbt": generated,
            "tables_in_catalog": len(catalog["nodes"]),
            "sources_in_catalog": len(catalog["sources"]),
        }
    )


def _docs_inputs(manifest_path: Path, warehouse: Warehouse) -> str | None:
    """The digest of what the docs site shows (valuemap.dbt_runs.docs_inputs); None on
    Spark, whose catalog is Spark's, so the docs are always generated again there."""
    if warehouse.engine != "duckdb" or not manifest_path.exists():
        return None
    with warehouse.connect(read_only=True) as con:
        return docs_inputs(manifest_path, con, warehouse.dbt_vars)
