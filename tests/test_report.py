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
    assert titles == [
        "At a glance",
        "Customers to act on",
        "The whale curve",
        "Margin x cost to serve",
        "The 20/80 rules",
        "Where every euro of cost went",
        "Whitney policy x customer class",
        "Kraljic from the customer&#x27;s side, with the matching models",
        "Satisfaction x loyalty",
        "Price insensitivity (slide 127)",
        "What if we act",
        "Cohort retention",
        "Segment migration since the previous run",
    ]
    aids = dict(zip(titles, re.findall(r'<p class="aid">(.*?)</p>', page), strict=True))
    # the reading aids carry the marts' own figures (tests/fixtures/relationships_landing.py)
    assert "1 apostles speak for you; 1 terrorists against you." in aids["Satisfaction x loyalty"]
    # (66.7 + 50) / 2
    assert "Of a cohort, 58% still buy in their second year." in aids["Cohort retention"]
    assert "2023 (3 customers)" in _section(page, "Cohort retention")  # A1 A2 A3
    assert 'class="peak"' in svgs[0]
    # a part without its data says why instead of disappearing
    assert aids["Where every euro of cost went"] == (
        "Not drawn: no cost pools were delivered (costs/resource_pools)."
    )
    assert aids["Customers to act on"].startswith("Not drawn: no customer loses money")
    assert re.search(
        r'<p class="meta">Analysis window 2025-01-01 to 2025-12-31\. Generated \d{4}-', page
    )


def _section(page: str, title: str) -> str:
    return page.split(f"<h2>{title}</h2>")[1].split("</section>")[0]


def _rows(section: str) -> list[list[str]]:
    return [
        re.findall(r"<td[^>]*>(.*?)</td>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", section)
        if "<td" in row
    ]


def test_the_headline_compares_the_window_with_the_one_before(relationships_run):
    """2025: R0 24 units, A1 A3 B1 C1 one each: 28 x 100 revenue, 28 x 50 net profit, 5
    customers. 2024: R0 120 units, R1 A1 B1 B2 B3 one each: 125 x 100, 6 customers."""
    page = report_path(relationships_run.published).read_text(encoding="utf-8")
    rows = _rows(_section(page, "At a glance"))
    assert rows == [
        ["revenue", "EUR 2,800", "EUR 12,500", "-78%"],
        ["gross margin", "EUR 1,400", "EUR 6,250", "-78%"],
        ["cost to serve", "EUR 0", "EUR 0", "n/a"],
        ["net profit", "EUR 1,400", "EUR 6,250", "-78%"],
        ["customers who bought", "5", "6", "-17%"],
    ]
    assert "net margin 50.0%" in _section(page, "At a glance")


def test_the_report_names_the_customers_to_act_on(segments_run):
    """tests/fixtures/segments_landing.py: S02, S04, S06 and S08 lose 500, 300, 60 and
    20; S02 is the energy sucker (600 minutes, lowest profit quintile)."""
    page = report_path(segments_run.published).read_text(encoding="utf-8")
    section = _section(page, "Customers to act on")
    assert "4 customers lose EUR 880 together" in section
    losers, suckers = section.split("<h3>")[1:]
    rows = _rows(losers)
    assert [(r[0], r[5]) for r in rows] == [
        ("Customer S02", "EUR -500"),
        ("Customer S04", "EUR -300"),
        ("Customer S06", "EUR -60"),
        ("Customer S08", "EUR -20"),
    ]
    assert rows[0][6].startswith("Improve profitability: change the mix of service")
    assert [(r[0], r[2]) for r in _rows(suckers)] == [("Customer S02", "600")]
    # readable labels, the loss part of the whale curve, cohort sizes
    assert "stop_investing" not in page and "key_account" not in page
    assert 'class="loss-region"' in _section(page, "The whale curve")


def test_report_command_writes_where_asked(relationships_run, tmp_path):
    out = tmp_path / "report.html"
    result = valuemap("report", "--warehouse", str(relationships_run.warehouse), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    missing = valuemap("report", "--warehouse", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 1 and "run a refresh first" in missing.stderr
