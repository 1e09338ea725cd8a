"""The dbt project as assets: models and seeds materialize, tests become asset checks."""

import functools
import hashlib
import json
import os
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

from orchestration.project import refresh_target_path, valuemap_project
from orchestration.resources import Warehouse
from valuemap.ingest import newest_load_id, record_tested_loads, tables_loaded_since_tested
from valuemap.publish import docs_path, swap_in_folder
from valuemap.spark import import_marts


class ValuemapTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "dbt"


def dbt_vars_args() -> list[str]:
    """Business parameters for this run, as JSON in VALUEMAP_DBT_VARS (README: Business parameters)."""
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
def valuemap_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    # Unit tests check the SQL, not the data: CI runs them (tests/test_dbt_unit_tests.py),
    # the nightly build does not.
    build = ["build", "--exclude-resource-type", "unit_test", *dbt_vars_args()]
    target = refresh_target_path(warehouse.path)
    with warehouse.connect() as con:
        through = newest_load_id(con)
        loaded = tables_loaded_since_tested(con) if warehouse.engine == "duckdb" else None
    no_rows = [] if loaded is None else tests_reading_no_rows(_manifest(), loaded)
    if no_rows:
        # one value: dagster-dbt splits it on spaces into dbt's --exclude
        build += ["--exclude", " ".join(no_rows)]
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


# The columns that tell a row's load (macros/tests_on_new_rows.sql: load_id_column).
LOAD_ID_COLUMNS = {"_load_id", "loaded_through_load_id"}


def tests_reading_no_rows(manifest: Mapping[str, Any], loaded: set[str]) -> list[str]:
    """The generic tests that this build would run on no rows, by name: dbt need not run
    them, as a test of no rows passes. A generic test of a model whose rows carry their
    load reads only rows of loads since the last passing build (macros/tests_on_new_rows.
    sql); such a model has none when no landing table upstream of it is in `loaded` (the
    tables with such loads): a staging view of a table with no new file, or an incremental
    model that rebuilt no month."""
    nodes, sources = manifest["nodes"], manifest["sources"]

    @functools.cache
    def landing_tables(unique_id: str) -> frozenset[str]:
        # as macros/incremental_months.sql: upstream_landing_tables, the loader's log aside
        if unique_id in sources:
            source = sources[unique_id]
            if source["source_name"] == "loader":
                return frozenset()
            return frozenset({f"{source['source_name']}/{source['name']}"})
        parents = nodes[unique_id]["depends_on"]["nodes"] if unique_id in nodes else []
        return frozenset().union(*(landing_tables(parent) for parent in parents))

    names = []
    for node in nodes.values():
        model = nodes.get(node.get("attached_node") or "")
        if (
            node["resource_type"] == "test"
            and node.get("test_metadata")  # generic: its model is read through the filter
            and model is not None
            and LOAD_ID_COLUMNS & set(model["columns"])
            and landing_tables(model["unique_id"])
            and not landing_tables(model["unique_id"]) & loaded
        ):
            names.append(node["name"])
    return sorted(names)


# In the docs folder, beside index.html: the artifacts catalog tools read, and the digest
# of what the site shows as of its last generation.
DOCS_ARTIFACTS = ("manifest.json", "catalog.json")
DOCS_INPUTS_FILE = "docs_inputs.sha256"


@asset(group_name="publish", deps=list(valuemap_dbt_assets.keys), kinds={"dbt"})
def dbt_docs(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse
) -> MaterializeResult:
    """The dbt docs site (every source, model and column, with the catalog of the warehouse
    just built): `dbt docs generate --static`, whose index.html opens offline, beside the
    manifest.json and catalog.json that catalog tools read."""
    out = docs_path(Path(warehouse.published_path))
    target = refresh_target_path(warehouse.path)
    inputs = _docs_inputs(target / "manifest.json", warehouse)
    site = ("index.html", *DOCS_ARTIFACTS, DOCS_INPUTS_FILE)
    complete = all((out / name).exists() for name in site)
    regenerate = (
        inputs is None
        or not complete
        or (out / DOCS_INPUTS_FILE).read_text(encoding="utf-8") != inputs
    )
    if regenerate:
        # The build left its compiled manifest and partial parse in the refresh target; the
        # same vars keep the partial parse valid.
        dbt.cli(
            ["docs", "generate", "--no-compile", "--static", *dbt_vars_args()],
            target_path=target,
        ).wait()
        staging = out.with_name(out.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        shutil.copy(target / "static_index.html", staging / "index.html")
        for name in DOCS_ARTIFACTS:
            shutil.copy(target / name, staging / name)
        if inputs is not None:
            (staging / DOCS_INPUTS_FILE).write_text(inputs, encoding="utf-8")
        swap_in_folder(staging, out)
    else:
        context.log.info(f"dbt docs unchanged: the project, vars and tables are as at {out}")
    catalog = json.loads((out / "catalog.json").read_text(encoding="utf-8"))
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(out / "index.html")),
            "regenerated": regenerate,
            "tables_in_catalog": len(catalog["nodes"]),
            "sources_in_catalog": len(catalog["sources"]),
        }
    )


# What compiling fills in on a manifest node, beside its macros (depends_on.macros).
COMPILED_FIELDS = (
    "compiled",
    "compiled_code",
    "compiled_path",
    "build_path",
    "extra_ctes",
    "extra_ctes_injected",
)


def _docs_inputs(manifest_path: Path, warehouse: Warehouse) -> str | None:
    """A digest of everything the docs site shows: the project as the build parsed it, the
    vars, and the warehouse's tables, views and columns. DuckDB's catalog has no row counts
    or sizes, so a night that only adds rows leaves the site as it is. Left out: what
    differs between runs of an unchanged project. That is the run stamps, the time of the
    parse (a new warehouse path parses again), and what compiling fills in: whether the
    build compiled a node (it leaves out tests of no new rows), the compiled SQL (the
    snapshot model's run id, the incremental branch), its paths in the refresh target
    (named after the warehouse) and the macros a node called (the incremental branch adds
    some). On Spark the catalog is Spark's, so the docs are always regenerated there
    (None)."""
    if warehouse.engine != "duckdb" or not manifest_path.exists():
        return None
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["metadata"] = {"dbt_version": manifest["metadata"].get("dbt_version")}
    for collection in manifest.values():  # nodes, sources, macros, metrics, ...
        for item in collection.values() if isinstance(collection, dict) else ():
            if isinstance(item, dict):
                item.pop("created_at", None)  # the time of the parse
    for node in manifest["nodes"].values():
        for compiled in COMPILED_FIELDS:
            node.pop(compiled, None)
        node.get("depends_on", {}).pop("macros", None)
    # The catalog covers the project's relations only, not the loader's own tables.
    relations = {
        (node["schema"].lower(), (node.get("alias") or node.get("identifier") or "").lower())
        for node in [*manifest["nodes"].values(), *manifest["sources"].values()]
    }
    with warehouse.connect(read_only=True) as con:
        rows = con.execute(
            "select c.table_schema, c.table_name, t.table_type, c.ordinal_position,"
            " c.column_name, c.data_type"
            " from information_schema.columns c join information_schema.tables t"
            " on t.table_catalog = c.table_catalog and t.table_schema = c.table_schema"
            " and t.table_name = c.table_name"
            " order by 1, 2, 4"
        ).fetchall()
    columns = [row for row in rows if (row[0].lower(), row[1].lower()) in relations]
    digest = hashlib.sha256()
    for part in (manifest, dbt_vars_args(), columns):
        digest.update(json.dumps(part, sort_keys=True, default=str).encode())
    return digest.hexdigest()
