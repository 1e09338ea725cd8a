"""The refresh under faults: readers of the published marts are never blocked and never
see a mix of old and new marts while a refresh runs; a refresh killed with SIGKILL
during load, dbt or publish leaves things so that the next run ends where a clean run
ends, with nothing loaded twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import published_marts, run_refresh
from tests.fixtures.tiny_landing import write_csv

pytestmark = pytest.mark.slow

READER = textwrap.dedent(
    """
    import json, sys, time
    import duckdb
    published, stop, out = sys.argv[1:4]
    seen, errors, queries = [], [], 0
    while True:
        try:
            with duckdb.connect(published, read_only=True) as con:
                total, summed = con.execute(
                    "select (select total_net_profit_amount from marts.rpt_profit_curve_summary),"
                    " (select sum(net_profit_amount) from marts.fct_customer_profitability_window)"
                ).fetchall()[0]
            queries += 1
            if float(total) != float(summed):
                errors.append(f"mixed marts: summary {total}, customers {summed}")
            if not seen or seen[-1] != float(total):
                seen.append(float(total))
        except Exception as error:  # a lock or a missing file would land here
            errors.append(repr(error))
        if time.time() > float(open(stop).read() or "inf"):
            break
        time.sleep(0.02)
    json.dump({"seen": seen, "errors": errors, "queries": queries}, open(out, "w"))
    """
)


def test_readers_are_never_blocked_and_never_see_a_mix(tiny_run, tmp_path):
    copy = tiny_run.copy_to(tmp_path)
    landing, warehouse, published = copy.landing, copy.warehouse, copy.published
    # new data, so the refresh publishes different marts: C2 orders again
    write_csv(
        landing / "orders/orders/more.csv",
        [
            {
                "order_id": "O6",
                "customer_id": "C2",
                "order_date": "2026-03-30",
                "channel": "edi",
                "delivery_type": "standard",
                "status": "completed",
            }
        ],
    )
    write_csv(
        landing / "orders/order_lines/more.csv",
        [
            {
                "order_id": "O6",
                "line_number": "1",
                "product_id": "P2",
                "quantity": "3",
                "unit_list_price": "500",
                "unit_net_price": "450",
            }
        ],
    )
    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    stop.write_text("")
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published), str(stop), str(out)])
    time.sleep(1)
    run = run_refresh(landing, warehouse)
    stop.write_text(str(time.time() + 1))
    reader.wait(timeout=60)

    assert run.result.returncode == 0, run.result.stderr[-2000:]
    seen = json.loads(out.read_text())
    assert seen["errors"] == []
    assert seen["queries"] > 100
    # it read the old marts, then the new ones: the swap happened while it read
    assert seen["seen"] == [203.0, 203.0 + 3 * 450 - 3 * 200 - 104] or len(seen["seen"]) == 2


def raw_state(warehouse: Path) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return (
            con.execute(
                "select table_path, count(*), sum(rows_loaded) from raw._load_log"
                " group by table_path order by table_path"
            ).fetchall(),
            con.execute(
                "select count(*) - count(distinct content_hash) from raw._load_log"
            ).fetchall(),
            con.execute("select count(*) from raw.orders__order_lines").fetchall(),
        )


def start_refresh(landing: Path, warehouse: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "valuemap.cli",
            "run",
            "--landing",
            str(landing),
            "--warehouse",
            str(warehouse),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        start_new_session=True,  # its own process group: dbt dies with it, as in a crash
    )


def dbt_is_running(group: int) -> bool:
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.getpgid(int(pid)) != group:
                continue
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ProcessLookupError):
            continue
        arguments = cmdline.split(b"\0")
        if b"build" in arguments and any(a.endswith((b"/dbt", b"-dbt")) for a in arguments):
            return True
    return False


def kill_when(process: subprocess.Popen, ready, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while not ready():
        assert process.poll() is None, "the refresh ended before the kill point"
        assert time.time() < deadline, "kill point never reached"
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def clean(tiny_run):
    """The tiny fixture's landing folder, and the marts and raw tables of its clean run
    (the session's, shared with the other tests)."""
    return tiny_run.landing, published_marts(tiny_run.published), raw_state(tiny_run.warehouse)


def kill_points(warehouse: Path, process: subprocess.Popen):
    wal = warehouse.with_name(warehouse.name + ".wal")
    published_tmp = warehouse.with_name("warehouse_published.duckdb.tmp")
    return {
        # the loader is the first to write the warehouse
        "load": lambda: wal.exists(),
        "dbt": lambda: dbt_is_running(process.pid),
        "publish": lambda: published_tmp.exists(),
    }


@pytest.mark.parametrize("point", ["load", "dbt", "publish"])
def test_a_killed_refresh_recovers_on_the_next_run(clean, point, tmp_path):
    landing, clean_marts, clean_raw = clean
    warehouse = tmp_path / "warehouse.duckdb"
    process = start_refresh(landing, warehouse)
    kill_when(process, kill_points(warehouse, process)[point])
    # where it died: mid-load, after the load, or with the new published file half written
    files = len(list(landing.glob("*/*/*.*")))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = (
            con.execute(
                "select count(*) from information_schema.tables where table_name = '_load_log'"
            ).fetchall()[0][0]
            and con.execute("select count(*) from raw._load_log").fetchall()[0][0]
        )
    if point == "load":
        assert loaded < files
    elif point == "dbt":
        assert loaded == files
    else:
        assert warehouse.with_name("warehouse_published.duckdb.tmp").exists()

    rerun = run_refresh(landing, warehouse)

    assert rerun.result.returncode == 0, rerun.result.stderr[-3000:]
    assert raw_state(warehouse) == clean_raw  # every file once, every row once
    assert published_marts(rerun.published) == clean_marts
