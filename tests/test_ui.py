"""`valuemap ui`: the real Dagster webserver on 127.0.0.1, asked over its GraphQL API for the
asset graph. It must show what the code defines: ingestion, every dbt model with its tests
as checks, the Great Expectations checks, the docs and the publish assets."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.assets.publish import MART_KEYS
from orchestration.definitions import defs

pytestmark = pytest.mark.slow

ASSET_GRAPH = """
{ assetNodes { assetKey { path } groupName
    assetChecksOrError { __typename ... on AssetChecks { checks { name blocking } } } } }
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _reset_signals() -> None:
    # A process started in the background inherits ignored SIGINT/SIGTERM; Dagster's
    # processes would then outlive the test.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@contextlib.contextmanager
def running_ui(log_path: Path, *args: str) -> Iterator[int]:
    """`valuemap ui` with `args`, until its code location is loaded; yields its port."""
    port = _free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "valuemap.cli", "ui", "--port", str(port), *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        preexec_fn=_reset_signals,
        start_new_session=True,  # its own process group: webserver, daemon, code server
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            assert process.poll() is None, log_path.read_text()[-3000:]
            try:
                # the code location is loaded once the graph has assets
                if _graphql(port, "{ assetNodes { id } }")["data"]["assetNodes"]:
                    break
            except (urllib.error.URLError, ConnectionError, KeyError, TypeError):
                pass
            assert time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


@pytest.fixture
def ui_port(tmp_path):
    with running_ui(tmp_path / "ui.log", "--warehouse", str(tmp_path / "warehouse.duckdb")) as port:
        yield port


def test_ui_shows_the_asset_graph_with_its_checks(ui_port):
    nodes = _graphql(ui_port, ASSET_GRAPH)["data"]["assetNodes"]
    shown = {
        "/".join(n["assetKey"]["path"]): {c["name"] for c in n["assetChecksOrError"]["checks"]}
        for n in nodes
    }
    graph = defs.resolve_asset_graph()
    defined = {key.to_user_string(): set() for key in graph.get_all_asset_keys()}
    for check in graph.asset_check_keys:
        defined[check.asset_key.to_user_string()].add(check.name)
    assert shown == defined
    for mart in MART_KEYS:
        assert shown[mart.to_user_string()], f"{mart.to_user_string()} has no checks"
    # ingestion (raw tables: the loader enforces the contract, no check again), docs, publish
    assert shown["crm/customers"] == set()
    assert shown["orders/order_lines"] == set()
    for asset in ("dbt_docs", "published_marts", "customer_value_report"):
        assert asset in shown
    assert "gx_fct_customer_profitability" in shown["marts/fct_customer_profitability"]
    groups = {n["groupName"] for n in nodes}
    assert groups >= {"ingest", "dbt", "publish"}
