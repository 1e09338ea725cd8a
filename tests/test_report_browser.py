"""The HTML report in a real browser: Debian's Chromium, headless, driven by Playwright.
Every chart must render (an SVG with a visible size), with no console error; the
screenshot is kept in test-artifacts/ (`./dev test` installs Chromium when it can)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from valuemap.settings import PROJECT_ROOT
from valuemap.warehouse import report_path

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# This machine's network is closed: without these, Chromium keeps trying to reach Google.
QUIET_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def open_in_chromium(page_path: Path, screenshot: Path) -> dict:
    """Load a local page; return its console errors, the charts' sizes and section titles."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("VALUEMAP_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=QUIET_FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
        page.goto(page_path.resolve().as_uri(), wait_until="load")
        charts = page.eval_on_selector_all(
            "svg",
            "els => els.map(e => { const r = e.getBoundingClientRect();"
            " return [r.width, r.height, e.querySelectorAll('*').length]; })",
        )
        titles = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    return {"errors": errors, "charts": charts, "titles": titles}


def test_every_chart_renders_in_chromium(relationships_run):
    screenshot = ARTIFACTS / "report.png"
    screenshot.unlink(missing_ok=True)
    seen = open_in_chromium(report_path(relationships_run.published), screenshot)
    assert seen["errors"] == []
    page = report_path(relationships_run.published).read_text(encoding="utf-8")
    assert len(seen["titles"]) == 13  # sections; some are tables rather than charts
    assert len(seen["charts"]) == len(re.findall(r"<svg", page)) >= 6
    for width, height, shapes in seen["charts"]:
        assert width > 100 and height > 50 and shapes > 3
    assert screenshot.stat().st_size > 20_000
