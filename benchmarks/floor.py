"""The floor: what the refresh costs without dbt or Dagster. The same loader, then the
project's own compiled SQL (a `dbt compile` manifest) executed in dependency order in
one DuckDB connection; no tests, no checks, no publish.

    python -m benchmarks.floor --landing DIR --warehouse FILE --manifest target/manifest.json
"""

from __future__ import annotations

import argparse
import json
import time
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from valuemap.loader import load_landing
from valuemap.settings import PROJECT_ROOT, Settings


def build_order(manifest: dict) -> list[dict]:
    """Seeds and models, each after everything it selects from."""
    nodes = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("seed", "model")
    }
    graph = {
        uid: [d for d in n.get("depends_on", {}).get("nodes", []) if d in nodes]
        for uid, n in nodes.items()
    }
    return [nodes[uid] for uid in TopologicalSorter(graph).static_order()]


def _seed_sql(node: dict) -> str:
    types = node["config"].get("column_types") or {}
    typed = ", ".join(f"'{name}': '{kind}'" for name, kind in types.items())
    path = PROJECT_ROOT / node["original_file_path"]
    options = f", types = {{{typed}}}" if typed else ""
    return f"select * from read_csv('{path}', header = true{options})"


def run_floor(landing: Path, warehouse: Path, manifest_path: Path) -> dict[str, float]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    settings = Settings.from_env()
    timings = {}
    started = time.perf_counter()
    with duckdb.connect(
        str(warehouse),
        config={"threads": settings.duckdb_threads, "memory_limit": settings.duckdb_memory_limit},
    ) as con:
        load_landing(con, landing)
        timings["load"] = time.perf_counter() - started
        sql_started = time.perf_counter()
        for node in build_order(manifest):
            con.execute(f'create schema if not exists "{node["schema"]}"')
            if node["resource_type"] == "seed":
                sql, kind = _seed_sql(node), "table"
            else:
                sql = node["compiled_code"]
                kind = "view" if node["config"]["materialized"] == "view" else "table"
            con.execute(f"create or replace {kind} {node['relation_name']} as {sql}")
        timings["sql"] = time.perf_counter() - sql_started
    timings["total"] = time.perf_counter() - started
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", required=True)
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--manifest", required=True, help="manifest.json of `dbt compile`")
    args = parser.parse_args()
    timings = run_floor(Path(args.landing), Path(args.warehouse), Path(args.manifest))
    print(json.dumps(timings))


if __name__ == "__main__":
    main()
