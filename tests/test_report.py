"""The HTML report: written by the job after publish and by `valuemap report`, self-
contained (works offline), every chart a well-formed SVG with a reading aid."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import pytest

from tests.conftest import valuemap
from valuemap.warehouse import report_path

pytestmark = pytest.mark.slow


def test_the_job_writes_a_self_contained_report(relationships_run):
    page = report_path(relationships_run.published).read_text(encoding="utf-8")
    # nothing fetched from elsewhere: no scripts, stylesheets or images by URL
    assert not re.search(r"<script|<link|<img|<iframe", page)
    assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"] * page.count(
        "<svg"
    )
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(svgs) >= 6
    for svg in svgs:
        ElementTree.fromstring(svg)  # well formed
    titles = re.findall(r"<h2>(.*?)</h2>", page)
    # no cost pools in this fixture, so no reconciliation section
    assert titles == [
        "The whale curve",
        "Margin x cost to serve",
        "The 20/80 rules",
        "Whitney policy x customer class",
        "Kraljic from the customer&#x27;s side, with the matching models",
        "Satisfaction x loyalty",
        "Price insensitivity (slide 127)",
        "Cohort retention",
        "Segment migration since the previous run",
    ]
    aids = re.findall(r'<p class="aid">(.*?)</p>', page)
    assert len(aids) == len(titles)
    # the reading aids carry the marts' own figures (tests/fixtures/relationships_landing.py)
    assert "1 apostles speak for you; 1 terrorists against you." in aids[5]
    assert "Of a cohort, 58% still buy in their second year." in aids[7]  # (66.7 + 50) / 2
    assert 'class="peak"' in svgs[0]


def test_report_command_writes_where_asked(relationships_run, tmp_path):
    out = tmp_path / "report.html"
    result = valuemap("report", "--warehouse", str(relationships_run.warehouse), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    missing = valuemap("report", "--warehouse", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 1 and "run a refresh first" in missing.stderr
