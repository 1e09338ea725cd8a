"""The benchmark command at its smallest scale, as a smoke test (not timed here): every
measurement runs, the pandas peer and the bare DuckDB floor agree with the marts, and the nightly delta loads only
the new day's files."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

from valuemap.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


def test_benchmark_runs_at_the_smallest_scale(tmp_path):
    # Spark leaves out: tests/test_spark.py runs the job on Spark and compares the marts.
    command = ["benchmarks.run", "--customers", "300", "--months", "12", "--work", str(tmp_path)]
    command.append("--no-spark")
    result = subprocess.run(
        [sys.executable, "-m", *command],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (row,) = json.loads((tmp_path / "results.json").read_text())
    assert row["peer_differs"] == "" and row["bare_differs"] == ""
    for measured in ("full", "bare", "floor", "peer", "delta"):
        assert row[measured]["seconds"] > 0 and row[measured]["peak_mb"] > 0
    assert set(row["delta_rows"]) == {
        "orders/orders",
        "orders/order_lines",
        "orders/deliveries",
        "crm/activities",
        "crm/complaints",
    }
    assert row["delta_rows"]["orders/order_lines"] > 0
    with duckdb.connect(str(tmp_path / "300c_12m" / "full" / "warehouse.duckdb")) as con:
        loads = con.execute(
            "select regexp_extract(file_path, '[^/]+$'), status from raw._load_log"
            " order by load_id desc limit 6"
        ).fetchall()
    day = "2026-11-01"  # the day after the demo data's last
    assert sorted(loads[:5]) == [
        (f"activities_{day}.csv", "loaded"),
        (f"complaints_{day}.csv", "loaded"),
        (f"deliveries_{day}.csv", "loaded"),
        (f"order_lines_{day}.csv", "loaded"),
        (f"orders_{day}.csv", "loaded"),
    ]
    assert not loads[5][0].endswith(f"{day}.csv")  # loaded by the full refresh before
    # the run summary counts this run's files only
    delta_log = (tmp_path / "300c_12m" / "delta.log").read_text()
    assert "files loaded          5 (0 rejected whole)" in delta_log
    assert "| 300 |" in result.stdout and "| not run |" in result.stdout  # the table
