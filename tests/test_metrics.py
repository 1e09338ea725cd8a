"""The metrics defined once (models/semantic), queried with MetricFlow's `mf query` on a
real warehouse, against the hand-computed fixture (tests/fixtures/tiny_landing.py)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from valuemap.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

MF = str(Path(sys.executable).with_name("mf"))
IN_WINDOW = "{{ Dimension('customer_month__is_in_analysis_window') }}"


def mf(warehouse: Path, *args: str) -> str:
    """`mf` on a warehouse, as the README runs it; its standard output."""
    result = subprocess.run(
        [MF, *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "DBT_PROFILES_DIR": str(PROJECT_ROOT),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "VALUEMAP_WAREHOUSE": str(warehouse),
        },
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


def mf_query(warehouse: Path, out: Path, *args: str) -> list[dict]:
    mf(warehouse, "query", *args, "--csv", str(out))
    with out.open(newline="") as f:
        return list(csv.DictReader(f))


def test_profit_metrics_over_the_analysis_window(tiny_run, tmp_path):
    (row,) = mf_query(
        tiny_run.warehouse,
        tmp_path / "window.csv",
        "--metrics",
        "revenue,gross_margin,cost_to_serve,net_profit,net_margin_pct,customers",
        "--where",
        IN_WINDOW,
    )
    # C1 2100 + C2 450 + C3 300; margins 920 + 250 + 120; net 366 - 89 - 74
    assert {k: round(float(v), 4) for k, v in row.items()} == {
        "revenue": 2850,
        "gross_margin": 1290,
        "cost_to_serve": 1087,
        "net_profit": 203,
        "net_margin_pct": 7.1228,  # 100 x 203 / 2850
        "customers": 3,
    }


def test_loss_customers_by_margin_cost_quadrant(tiny_run, tmp_path):
    rows = mf_query(
        tiny_run.warehouse,
        tmp_path / "loss.csv",
        "--metrics",
        "loss_customers",
        "--group-by",
        "customer__margin_cost_quadrant",
    )
    assert {r["customer__margin_cost_quadrant"]: int(r["loss_customers"]) for r in rows} == {
        "bargain_basement": 0,  # C1 +366
        "carriage_trade": 1,  # C2 -89
        "aggressive": 1,  # C3 -74
    }
