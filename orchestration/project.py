"""The one dbt project. Importing this module writes target/manifest.json when it is
missing or stale (`prepare_manifest`), so every way of loading the code location
(`valuemap run`, `valuemap ui`, `dagster dev`, a test) works on a fresh clone."""

import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from valuemap.settings import PROJECT_ROOT

valuemap_project = DbtProject(project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT)

# The dbt installed beside this Python, so `.venv/bin/valuemap` works without
# activating the virtual environment: `valuemap-dbt`, which keeps dbt's parse of the
# project across warehouse files (valuemap/dbt_cli.py), else dbt; else whatever `dbt` is
# on PATH.
_beside_python = [Path(sys.executable).with_name(name) for name in ("valuemap-dbt", "dbt")]
DBT_EXECUTABLE = next(
    (str(path) for path in _beside_python if path.exists()), shutil.which("dbt") or "dbt"
)


_DBT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")


class ValuemapDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource, without the dbt adapter it builds in this process
    before every command. That adapter loads all of dbt's macros (2.2 s a command, 4.5 s a
    refresh) and serves only `fetch_row_counts` and `fetch_column_metadata`, which this
    project does not call: the dbt command itself runs in its own process either way.
    tests/test_settings.py fails if dagster-dbt renames the method."""

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource() -> DbtCliResource:
    return ValuemapDbtCliResource(project_dir=valuemap_project, dbt_executable=DBT_EXECUTABLE)


def prepare_manifest() -> None:
    """Write target/manifest.json (dbt parse) when it is missing or older than a dbt file;
    the definitions read it when they load."""
    manifest = valuemap_project.manifest_path
    if manifest.exists():
        built = manifest.stat().st_mtime
        files = []
        for name in _DBT_INPUTS:
            path = PROJECT_ROOT / name
            files += [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        if all(f.stat().st_mtime <= built for f in files):
            return
    dbt_resource().cli(["parse", "--quiet"], target_path=valuemap_project.target_path).wait()


prepare_manifest()
