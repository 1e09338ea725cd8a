"""Every failure of `valuemap run` says why in one line (README: "The command line"):
the root cause and the file, table or resource to act on, a documented exit code, the
detail in the run's own log, and the published marts as they were."""

from __future__ import annotations

import contextlib
import gzip
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import published_marts, run_refresh, valuemap
from tests.fixtures.tiny_landing import TABLES, write_csv
from valuemap.cli import refresh_lock


def reason_of(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.strip().splitlines()
    assert lines, result.stdout[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return lines[-1]


def test_a_malformed_dialect_names_the_file_and_keeps_the_marts(tiny_run, tmp_path):
    copy = tiny_run.copy_to(tmp_path)
    before = copy.published.read_bytes()
    (copy.landing / "orders" / "dialect.json").write_text('{"delimiter": ";"')
    run = run_refresh(copy.landing, copy.warehouse)
    assert run.result.returncode == 1
    reason = reason_of(run.result)
    assert reason.startswith("valuemap run failed: step load_landing_files failed: ValueError: ")
    assert f"{copy.landing / 'orders' / 'dialect.json'} is not valid JSON" in reason
    assert "DagsterExecutionStepExecutionError" not in reason
    assert copy.published.read_bytes() == before
    # the run kept its own log, and refresh.log names the newest
    logs = copy.warehouse.parent / "logs"
    (log,) = logs.glob("refresh-*.log")
    assert str(log) in reason
    assert (logs / "refresh.log").resolve() == log.resolve()


def test_a_damaged_warehouse_says_to_restore_or_rebuild_it(tiny_run, tmp_path):
    copy = tiny_run.copy_to(tmp_path)
    data = copy.warehouse.read_bytes()
    copy.warehouse.write_bytes(data[: len(data) // 2])
    run = run_refresh(copy.landing, copy.warehouse)
    assert run.result.returncode == 1
    reason = reason_of(run.result)
    assert reason.startswith(
        f"valuemap run failed: the warehouse {copy.warehouse} cannot be opened"
    )
    assert "restore it from a backup, or move it away to rebuild it" in reason


def test_a_second_run_on_a_warehouse_says_a_refresh_is_running(tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    landing.mkdir()
    with refresh_lock(warehouse, tmp_path / "first.log") as holder:
        assert holder is None
        run = run_refresh(landing, warehouse)
    assert run.result.returncode == 4
    reason = reason_of(run.result)
    assert reason.startswith(f"valuemap run failed: a refresh is already running on {warehouse}")
    assert f"pid {os.getpid()}" in reason and "first.log" in reason


def test_a_night_with_customers_only_builds_empty_marts_and_says_what_is_missing(tmp_path):
    landing = tmp_path / "landing"
    write_csv(landing / "crm" / "customers" / "customers.csv", TABLES["crm/customers"])
    run = run_refresh(landing, tmp_path / "warehouse.duckdb")
    assert run.result.returncode == 0, run.result.stderr[-3000:]
    assert "no rows yet in costs/products" in run.result.stdout
    assert "orders/orders" in run.result.stdout.split("missing")[1]
    assert run.query("select count(*) from marts.fct_customer_profitability_window") == [(0,)]


@pytest.mark.slow
def test_a_file_rejected_whole_finishes_with_exit_code_3(tiny_run, tmp_path):
    copy = tiny_run.copy_to(tmp_path)
    (copy.landing / "crm" / "customers" / "customers.xlsx").write_bytes(b"PK\x03\x04 sheet")
    run = run_refresh(copy.landing, copy.warehouse)
    assert run.result.returncode == 3, run.result.stderr[-3000:]
    assert reason_of(run.result).startswith(
        "valuemap run finished, but 1 file(s) were rejected whole:"
        " crm/customers/customers.xlsx (not a file valuemap reads"
    )
    assert "customers.xlsx: file rejected" in run.result.stdout
    assert published_marts(run.published) == published_marts(tiny_run.published)
    status = valuemap("status", "--warehouse", str(copy.warehouse))
    assert status.returncode == 1
    assert "last run     rejected 1 file(s) whole" in status.stdout


@contextlib.contextmanager
def small_filesystem(folder: Path, options: str):
    """A tmpfs mounted at `folder` (root only: CI runs as root)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
    )
    if os.geteuid() != 0 or mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_read_only_warehouse_folder_is_named(tiny_run, tmp_path):
    with small_filesystem(tmp_path / "ro", "ro,size=1m") as folder:
        run = run_refresh(tiny_run.landing, folder / "data" / "warehouse.duckdb")
    assert run.result.returncode == 1
    reason = reason_of(run.result)
    assert reason.startswith("valuemap run failed: Read-only file system")
    assert str(folder / "data") in reason


def test_a_full_disk_is_named(tiny_run, tmp_path):
    with small_filesystem(tmp_path / "full", "size=256k") as folder:
        run = run_refresh(tiny_run.landing, folder / "warehouse.duckdb")
    assert run.result.returncode == 1
    reason = reason_of(run.result)
    assert reason.startswith("valuemap run failed:")
    assert "No space left on device" in reason or "disk is full" in reason.lower(), reason


def test_too_little_memory_says_which_setting_to_raise(tiny_run, tmp_path):
    run = run_refresh(
        tiny_run.landing,
        tmp_path / "warehouse.duckdb",
        env={"VALUEMAP_DUCKDB_MEMORY_LIMIT": "1MB"},
    )
    assert run.result.returncode == 1
    reason = reason_of(run.result)
    assert "Out of Memory Error" in reason, reason
    assert reason.endswith(
        "DuckDB's memory limit (1MB) is too small for this data; raise"
        " VALUEMAP_DUCKDB_MEMORY_LIMIT and run again"
    )


@pytest.mark.slow
def test_exports_as_written_load_and_what_cannot_be_read_is_named(tiny_run, tmp_path):
    """Rows already loaded, delivered again the way real exports write them: those that
    can be read change nothing; the files that cannot are named, with what to do."""
    copy = tiny_run.copy_to(tmp_path)
    landing = copy.landing
    customers = "customer_id,customer_name,created_date\n" + "".join(
        f"{c},Customer {c},2020-01-01\n" for c in ("C1", "C2", "C3", "C4")
    )
    head, tail = customers.split("C3", 1)
    files = {
        # a CRLF export appended to with LF lines
        "crm/customers/crlf_then_lf.csv": head.replace("\n", "\r\n").encode()
        + b"C3"
        + tail.encode(),
        # a delimiter at the end of every line
        "orders/orders/trailing.csv": b"order_id,customer_id,order_date,channel,delivery_type,"
        b"status,\nO5,C3,2026-03-31,field_sales,standard,completed,\n",
        "orders/deliveries/deliveries.csv.gz": gzip.compress(
            b"delivery_id,order_id,delivery_date\nD4,O5,2026-03-31\n"
        ),
        # gzip bytes under a .csv name
        "orders/deliveries/zipped.csv": gzip.compress(b"delivery_id\n"),
        # a 3 MB value: that line is rejected, naming the column
        "costs/products/long.csv": (
            f"product_id,product_name,category,unit_standard_cost\nP9,{'x' * 3_000_000},,1\n"
        ).encode(),
    }
    later = time.time() + 60
    for name, content in files.items():
        path = landing / name
        path.write_bytes(content)
        os.utime(path, (later, later))
    run = run_refresh(landing, copy.warehouse)
    assert run.result.returncode == 3, run.result.stderr[-3000:]
    assert reason_of(run.result).startswith(
        "valuemap run finished, but 1 file(s) were rejected whole:"
        " orders/deliveries/zipped.csv (this is gzip-compressed data: name the file .csv.gz"
    )
    assert "long.csv: 1 of 1 row(s) rejected: row 2, product_name: line longer than 2 MB" in (
        run.result.stdout
    )
    assert run.query(
        "select count(*) from raw._load_log where status = 'loaded' and rows_loaded > 0"
        " and regexp_extract(file_path, '[^/]+$') in"
        " ('crlf_then_lf.csv', 'trailing.csv', 'deliveries.csv.gz')",
        copy.warehouse,
    ) == [(3,)]
    assert published_marts(run.published) == published_marts(tiny_run.published)
