"""What is decided before dbt is called: the project's parse (target/manifest.json, which
the definitions read), the vars of a run, the parse a first build starts from, the tests a
build can leave out, and whether the docs site must be generated again. No Dagster here:
the refresh starts the project's parse before it imports Dagster."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

from valuemap.settings import PROJECT_ROOT

# dbt's saved parse of the project, in a target folder.
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
# The project's own target folder (dbt's default, where dagster-dbt's DbtProject reads).
PROJECT_TARGET = PROJECT_ROOT / "target"
# What the project's parse reads.
_DBT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")

# The dbt installed beside this Python, so `.venv/bin/valuemap` works without
# activating the virtual environment: `valuemap-dbt`, which keeps dbt's parse of the
# project across warehouse files (valuemap/dbt_cli.py), else dbt; else whatever `dbt` is
# on PATH.
_beside_python = [Path(sys.executable).with_name(name) for name in ("valuemap-dbt", "dbt")]
DBT_EXECUTABLE = next(
    (str(path) for path in _beside_python if path.exists()), shutil.which("dbt") or "dbt"
)

_parsing: subprocess.Popen | None = None  # the parse start_project_parse started


def manifest_is_current() -> bool:
    """target/manifest.json exists and is newer than every file dbt parses."""
    manifest = PROJECT_TARGET / "manifest.json"
    if not manifest.exists():
        return False
    built = manifest.stat().st_mtime
    for name in _DBT_INPUTS:
        path = PROJECT_ROOT / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        if any(f.stat().st_mtime > built for f in files):
            return False
    return True


def start_project_parse() -> None:
    """Start `dbt parse` of the project in the background when its manifest is missing or
    stale: on a fresh clone it takes 9-10 s, during which the refresh imports Dagster
    (3 s) on the other core. parse_project waits for it."""
    global _parsing
    if _parsing is None and not manifest_is_current():
        _parsing = subprocess.Popen(
            [DBT_EXECUTABLE, "parse", "--quiet"],
            cwd=PROJECT_ROOT,
            env={
                **os.environ,
                "DBT_PROJECT_DIR": str(PROJECT_ROOT),
                "DBT_PROFILES_DIR": str(PROJECT_ROOT),
                "DBT_TARGET_PATH": str(PROJECT_TARGET),
                "DBT_LOG_PATH": str(PROJECT_TARGET),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )


def parse_project() -> None:
    """Write target/manifest.json when it is missing or stale (or wait for the parse
    start_project_parse started); a project dbt cannot parse raises with dbt's message."""
    global _parsing
    start_project_parse()
    if _parsing is None:
        return
    process, _parsing = _parsing, None
    output, _ = process.communicate()
    if process.returncode != 0:
        raise ProjectParseError(f"dbt cannot parse the project: {parse_error_line(output)}")


class ProjectParseError(RuntimeError):
    """The project's dbt files do not parse (a yml or Jinja mistake)."""


def parse_error_line(output: str) -> str:
    """dbt's error, up to the excerpt of the file it quotes, on one line."""
    lines = []
    for line in output.splitlines():
        line = re.sub(r"^\d\d:\d\d:\d\d\s+", "", re.sub(r"\x1b\[[0-9;]*m", "", line)).strip()
        if line.startswith("---"):
            break
        if line and line != "Encountered an error:":
            lines.append(line)
    return " ".join(lines)[:800]


def dbt_vars_args(raw: str) -> list[str]:
    """Business parameters for this run, as JSON (VALUEMAP_DBT_VARS; README: Business parameters)."""
    if not raw:
        return []
    json.loads(raw)  # fail early, with the JSON error, on a malformed value
    return ["--vars", raw]


def seed_partial_parse(project_target: Path, target: Path) -> None:
    """A warehouse's first build starts from the project's own parse (target/, written
    when the definitions load): with `valuemap-dbt` (valuemap/dbt_cli.py) dbt parses only
    the files that changed since, instead of the whole project. Later builds have their
    own."""
    parsed = project_target / PARTIAL_PARSE_FILE
    if parsed.exists() and not (target / PARTIAL_PARSE_FILE).exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(parsed, target / PARTIAL_PARSE_FILE)


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
DOCS_SITE = ("index.html", *DOCS_ARTIFACTS, DOCS_INPUTS_FILE)
# The last sites generated from this project, by the digest of what they show: a new
# warehouse of the same project and vars (another environment, a copy) reuses one.
DOCS_SITES = PROJECT_TARGET / "docs_sites"
DOCS_SITES_KEPT = 4


def is_docs_site(folder: Path) -> bool:
    """Every file of a docs site is in the folder."""
    return all((folder / name).exists() for name in DOCS_SITE)


def cached_docs_site(inputs: str, folder: Path) -> bool:
    """Copy the site generated last for these docs inputs into `folder` (new); False when
    there is none."""
    site = DOCS_SITES / inputs
    try:
        shutil.copytree(site, folder)
    except OSError:  # none, or removed by a run keeping its own while this one copied
        shutil.rmtree(folder, ignore_errors=True)
        return False
    if is_docs_site(folder):
        return True
    shutil.rmtree(folder, ignore_errors=True)
    return False


def keep_docs_site(inputs: str, folder: Path) -> None:
    """Keep a copy of the site just generated (written whole, then renamed: a run copying
    it sees all of it or none), and only the newest DOCS_SITES_KEPT."""
    DOCS_SITES.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".new-", dir=DOCS_SITES))
    shutil.copytree(folder, staging, dirs_exist_ok=True)
    try:
        staging.replace(DOCS_SITES / inputs)
    except OSError:  # another run kept the same site first
        shutil.rmtree(staging, ignore_errors=True)
    sites = sorted(
        (site for site in DOCS_SITES.iterdir() if not site.name.startswith(".")),
        key=lambda site: site.stat().st_mtime_ns,
    )
    for old in sites[:-DOCS_SITES_KEPT]:
        shutil.rmtree(old, ignore_errors=True)


# What compiling fills in on a manifest node, beside its macros (depends_on.macros).
COMPILED_FIELDS = (
    "compiled",
    "compiled_code",
    "compiled_path",
    "build_path",
    "extra_ctes",
    "extra_ctes_injected",
)


def docs_inputs(manifest_path: Path, con: duckdb.DuckDBPyConnection, dbt_vars: str) -> str:
    """A digest of everything the docs site shows: the project as the build parsed it, the
    vars, and the warehouse's tables, views and columns. DuckDB's catalog has no row counts
    or sizes, so a night that only adds rows leaves the site as it is. Left out: what
    differs between runs of an unchanged project. That is the run stamps, the time of the
    parse (a new warehouse path parses again), and what compiling fills in: whether the
    build compiled a node (it leaves out tests of no new rows), the compiled SQL (the
    snapshot model's run id, the incremental branch), its paths in the refresh target
    (named after the warehouse) and the macros a node called (the incremental branch adds
    some)."""
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
    for part in (manifest, dbt_vars_args(dbt_vars), columns):
        digest.update(json.dumps(part, sort_keys=True, default=str).encode())
    return digest.hexdigest()
