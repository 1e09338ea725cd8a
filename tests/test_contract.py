"""The staging layer is generated from the contract and must not drift from it."""

from __future__ import annotations

from valuemap.dbt_staging import expected_files
from valuemap.settings import PROJECT_ROOT


def test_generated_staging_files_are_up_to_date():
    stale = [
        str(path.relative_to(PROJECT_ROOT))
        for path, text in expected_files(PROJECT_ROOT).items()
        if not path.exists() or path.read_text() != text
    ]
    assert stale == [], f"run `python -m valuemap.dbt_staging`; out of date: {stale}"
