"""The floors: what the refresh costs without dbt or Dagster. The landing files read
into the raw tables, then the project's own compiled SQL (the manifest of a dbt build
from an empty warehouse) executed in dependency order in one DuckDB connection; no
tests, no checks, no publish.

  loader floor  the files read by the project's loader (typed, checked, rejects, held rows)
  bare floor    (--bare) the files read by DuckDB's `read_csv` with the contract's types,
                nothing checked: what a bare DuckDB script would do

    python -m benchmarks.floor --landing DIR --warehouse FILE --manifest target/manifest.json [--bare]
"""

from __future__ import annotations

import argparse
import json
import time
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from valuemap.contract import TABLES
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


def _read_csv(files: list[str], options: str) -> str:
    return f"read_csv({files}, header = true, union_by_name = true, {options})"


def read_bare(con: duckdb.DuckDBPyConnection, landing: Path) -> None:
    """Every landing table's CSV files into raw.<source>__<table> with `read_csv` and the
    contract's types (a column the files lack is null), one load id: no check at all."""
    con.execute("create schema if not exists raw")
    # one load: the monthly models stamp their rows with the newest load id
    con.execute("create or replace table raw._load_log as select 1 as load_id")
    for table in TABLES:
        files = sorted(str(p) for p in (landing / table.source / table.name).glob("*.csv"))
        if not files:
            continue
        header = con.execute(
            f"describe select * from {_read_csv(files, 'all_varchar = true')}"
        ).fetchall()
        present = {row[0].lower() for row in header}
        types = {c.name: c.raw_type for c in table.columns if c.name in present}
        columns = ", ".join(
            c.name if c.name in present else f"cast(null as {c.raw_type}) as {c.name}"
            for c in table.columns
        )
        # the load id the models read; the loader's other columns no model reads
        con.execute(
            f"create or replace table raw.{table.raw_name} as select {columns},"
            f" 1 as _load_id from {_read_csv(files, f'types = {types}')}"
        )


def run_floor(
    landing: Path, warehouse: Path, manifest_path: Path, bare: bool = False
) -> dict[str, float]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    settings = Settings.from_env()
    timings = {}
    started = time.perf_counter()
    with duckdb.connect(
        str(warehouse),
        config={"threads": settings.duckdb_threads, "memory_limit": settings.duckdb_memory_limit},
    ) as con:
        if bare:
            read_bare(con, landing)
        else:
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
    parser.add_argument(
        "--manifest", required=True, help="manifest.json of a dbt build from an empty warehouse"
    )
    parser.add_argument("--bare", action="store_true", help="read_csv instead of the loader")
    args = parser.parse_args()
    timings = run_floor(
        Path(args.landing), Path(args.warehouse), Path(args.manifest), bare=args.bare
    )
    print(json.dumps(timings))


if __name__ == "__main__":
    main()
