"""The one dbt project. `dagster dev` re-parses it on start; `valuemap run` calls
`prepare_manifest()` first, so a fresh clone needs no manual `dbt parse`."""

from dagster_dbt import DbtProject

from valuemap.settings import PROJECT_ROOT

valuemap_project = DbtProject(project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT)
valuemap_project.prepare_if_dev()

_DBT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")


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
    valuemap_project.preparer.prepare(valuemap_project)
