"""The dbt unit tests (hand-computed rows in the models' yml files): they check the SQL,
not the data, so CI runs them here rather than every nightly build. They need the
upstream relations to exist, so they run on a copy of a built warehouse."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import yaml

from orchestration.project import valuemap_project
from valuemap.dbt_runs import DBT_EXECUTABLE, seed_partial_parse
from valuemap.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


def test_every_dbt_unit_test_passes(tiny_run, tmp_path):
    copy = tiny_run.copy_to(tmp_path)
    target = tmp_path / "target"
    # as the refresh runs dbt: from the project's parse, not parsing it all again
    seed_partial_parse(valuemap_project.target_path, target)
    result = subprocess.run(
        [
            DBT_EXECUTABLE,
            "test",
            "--select",
            "test_type:unit",
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={
            **os.environ,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "VALUEMAP_WAREHOUSE": str(copy.warehouse),
        },
    )
    assert result.returncode == 0, result.stdout[-4000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    # the on-run-start hook (raw views on Spark, nothing on DuckDB) is a result too
    results = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert {r["status"] for r in results} == {"pass"}
    defined = sum(
        len(yaml.safe_load(path.read_text(encoding="utf-8")).get("unit_tests") or [])
        for path in (PROJECT_ROOT / "models").rglob("*.yml")
    )
    assert len(results) == defined > 0
