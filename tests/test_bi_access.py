"""What BI tools open: the published DuckDB file is readable by a DuckDB 1.x client
(many BI tools and drivers bundle one), and the Parquet copies hold the same marts."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import duckdb
import pytest

pytestmark = pytest.mark.slow

OLD_CLIENT = "duckdb==1.3.2"


def test_a_duckdb_1x_client_reads_the_published_file(tiny_run, tmp_path):
    target = tmp_path / "duckdb1"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            OLD_CLIENT,
        ],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import duckdb, sys;"
            " con = duckdb.connect(sys.argv[1], read_only=True);"
            " print(duckdb.__version__, con.sql('select customer_count,"
            " total_net_profit_amount from marts.rpt_profit_curve_summary').fetchall())",
            str(tiny_run.published),
        ],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    assert read.returncode == 0, read.stderr[-2000:]
    assert read.stdout.startswith("1.3.2 [(3, Decimal('203.000000'))]")


def test_parquet_copies_hold_the_same_marts(tiny_run):
    folder = tiny_run.published.with_name("warehouse_published_parquet")
    assert folder.is_symlink()
    marts = {
        r[0]
        for r in tiny_run.query(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        )
    }
    assert {p.stem for p in folder.glob("*.parquet")} == marts
    with duckdb.connect() as con:
        from_parquet = con.sql(
            f"select * from '{folder / 'fct_customer_profitability_window.parquet'}' order by all"
        ).fetchall()
    # money is a double in the Parquet copies (pandas reads it as numbers)
    assert from_parquet == [
        tuple(float(v) if isinstance(v, Decimal) else v for v in row)
        for row in tiny_run.query(
            "select * from marts.fct_customer_profitability_window order by all"
        )
    ]
