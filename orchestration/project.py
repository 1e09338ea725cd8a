"""The one dbt project. Importing this module writes target/manifest.json when it is
missing or stale (`prepare_manifest`), so every way of loading the code location
(`valuemap run`, `valuemap ui`, `dagster dev`, a test) works on a fresh clone."""

import os
from functools import cached_property
from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from valuemap.dbt_runs import DBT_EXECUTABLE, PROJECT_TARGET, parse_project
from valuemap.settings import PROJECT_ROOT

valuemap_project = DbtProject(
    project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT, target_path=PROJECT_TARGET
)


class ValuemapDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource, without two things it does in this process before
    the first dbt command. The dbt adapter: it loads all of dbt's macros (2.2 s a command,
    4.5 s a refresh) and serves only `fetch_row_counts` and `fetch_column_metadata`, which
    this project does not call (the dbt command runs in its own process either way). And
    `dbt --version` in a process of its own (1.8 s of CPU) to learn the version of
    dbt: it is the dbt-core installed beside Dagster, as `valuemap-dbt` runs it.
    tests/test_settings.py fails if dagster-dbt renames either."""

    def _initialize_dbt_core_adapter(self, args):
        return None

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))


# dbt writes its debug log (every statement, every cache event) to dbt.log in the run's
# target by default: 12% of a tiny build's time. The run's SQL is in target/run either
# way; DBT_LOG_LEVEL_FILE=debug brings the debug log back (docs/configuration.md).
LOG_LEVEL_FILE = ["--log-level-file", "info"]


def dbt_resource() -> DbtCliResource:
    return ValuemapDbtCliResource(
        project_dir=valuemap_project,
        dbt_executable=DBT_EXECUTABLE,
        global_config_flags=[] if os.environ.get("DBT_LOG_LEVEL_FILE") else LOG_LEVEL_FILE,
    )


def prepare_manifest() -> None:
    """Write target/manifest.json (dbt parse) when it is missing or older than a dbt file
    (or wait for the parse `valuemap run` started before it imported Dagster); the
    definitions read it when they load."""
    parse_project()


prepare_manifest()
