"""The documentation: the dbt docs site the job writes (every source, model and column
documented, the grain first in each model's description, an index.html that carries its
data inline), and the README's table of business parameters."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from valuemap import dbt_runs
from valuemap.dbt_runs import DOCS_SITE, cached_docs_site, keep_docs_site
from valuemap.settings import PROJECT_ROOT
from valuemap.warehouse import docs_path

DOCUMENTED = ("model", "seed", "source")


@pytest.mark.slow
def test_the_job_writes_the_docs_site(tiny_run):
    folder = docs_path(tiny_run.published)
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert '"MANIFEST.JSON INLINE DATA"' not in page and '"CATALOG.JSON INLINE DATA"' not in page
    assert "fct_profit_curve" in page


def test_a_warehouse_reuses_the_docs_site_of_the_same_inputs(tmp_path, monkeypatch):
    """A new warehouse of the same project, vars and tables (another environment, a copy)
    copies the site generated last for them instead of running `dbt docs generate` (3-5 s);
    the newest four sites are kept."""
    monkeypatch.setattr(dbt_runs, "DOCS_SITES", tmp_path / "sites")
    site = tmp_path / "site"
    site.mkdir()
    for name in DOCS_SITE:
        (site / name).write_text(f"{name} of the site")
    assert not cached_docs_site("a", tmp_path / "copy")
    for inputs in ("a", "b", "c", "d", "e"):
        keep_docs_site(inputs, site)
    assert cached_docs_site("e", tmp_path / "copy")
    assert (tmp_path / "copy" / "index.html").read_text() == "index.html of the site"
    assert len(list((tmp_path / "sites").iterdir())) == 4
    (tmp_path / "sites" / "d" / "catalog.json").unlink()  # an incomplete site is not used
    assert not cached_docs_site("d", tmp_path / "other") and not (tmp_path / "other").exists()


@pytest.mark.slow
def test_every_source_model_and_column_is_documented(tiny_run):
    folder = docs_path(tiny_run.published)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((folder / "catalog.json").read_text(encoding="utf-8"))
    nodes = {**manifest["nodes"], **manifest["sources"]}
    documented = {uid: n for uid, n in nodes.items() if n["resource_type"] in DOCUMENTED}
    in_catalog = {**catalog["nodes"], **catalog["sources"]}
    # every table and view the warehouse holds is one the project declares, and vice versa
    assert set(in_catalog) == set(documented)
    missing = [uid for uid, node in documented.items() if not node["description"].strip()]
    assert missing == []
    no_grain = [
        uid
        for uid, node in documented.items()
        if node["resource_type"] == "model" and not node["description"].startswith("Grain:")
    ]
    assert no_grain == []
    undocumented_columns = [
        (uid, column)
        for uid, table in in_catalog.items()
        for column in table["columns"]
        if not documented[uid]["columns"].get(column, {}).get("description", "").strip()
    ]
    assert undocumented_columns == []


def test_every_business_parameter_is_in_the_readme_table():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Business parameters", 1)[1].split("\n## ", 1)[0]
    listed = dict(re.findall(r"^\| `(\w+)` \| .*\| (var|seed) \|$", section, flags=re.M))
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    parameters = {name: "var" for name in project["vars"]}
    parameters |= {path.stem: "seed" for path in (PROJECT_ROOT / "seeds").glob("*.csv")}
    assert listed == parameters
