"""Benchmarks of the refresh at the scales of the demo generator (benchmarks/README.md).

    .venv/bin/python -m benchmarks.run                      # 10k, 50k and 200k customers
    .venv/bin/python -m benchmarks.run --customers 10000    # one scale

For each scale, on the same landing files, in one run:
  full    `valuemap run` on an empty warehouse (load, expectations, dbt build with
          tests, docs, publish, report), as a user runs it;
  bare    the bare DuckDB floor: the files read with `read_csv` (contract types, no
          checks) and the project's compiled SQL in one DuckDB connection;
  floor   the same with the project's loader instead of `read_csv`;
  peer    cost to serve, profitability and the whale curve in pandas from the files;
  delta   one new day of orders, activities and complaints, then `valuemap run` again
          on the warehouse the full refresh left, in place;
  spark   `valuemap run --engine spark` on an empty warehouse: the same job with dbt on a
          local Spark (skip with --no-spark); its marts are compared with the full
          refresh's, row by row (valuemap/compare.py).
Wall time and peak memory (resident, summed over the process tree, sampled every
0.1 s) of each; the peer's numbers are checked against the published marts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from benchmarks.delta import write_next_day
from valuemap.compare import compare_marts
from valuemap.generate import (
    GENERATOR_VERSION,
    MANIFEST_NAME,
    Scale,
    generate,
    write_manifest,
)
from valuemap.settings import PROJECT_ROOT
from valuemap.warehouse import dbt_target_path

BIN = Path(sys.executable).parent
DEFAULT_SCALES = (10_000, 50_000, 200_000)


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def measure(command: list[str], log: Path, env: dict | None = None) -> dict:
    """Run a command; its wall time, peak memory of its process tree and exit code."""
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(c) for c in command],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **(env or {})},
        )
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.1)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed; see {log}")
    return {"seconds": round(seconds, 2), "peak_mb": round(peak / 1e6)}


def landing_for(root: Path, customers: int, months: int) -> tuple[Path, int]:
    """The scale's landing folder, generated once and reused while its manifest matches."""
    landing = root / "landing"
    manifest = landing / MANIFEST_NAME
    scale = Scale(customers=customers, months=months)
    if manifest.exists():
        written = json.loads(manifest.read_text())
        wanted = {
            "generator": GENERATOR_VERSION,
            "customers": customers,
            "months": months,
            "seed": scale.seed,
            "end_date": scale.end_date.isoformat(),
        }
        if {key: written.get(key) for key in wanted} == wanted:
            return landing, written["rows"]["orders/order_lines"]
    shutil.rmtree(landing, ignore_errors=True)
    counts = generate(landing, scale)
    write_manifest(landing, scale, counts)
    return landing, counts["orders/order_lines"]


def build_manifest(warehouse: Path, target: Path) -> Path:
    """The manifest of the full refresh's own dbt build, copied before the delta's build
    replaces it: every model's compiled SQL as that build ran it (an empty warehouse, so
    the incremental models' whole SQL), for the floors to execute. A `dbt compile` of
    its own took 14 s of a small benchmark for the same SQL."""
    target.mkdir(parents=True, exist_ok=True)
    copy = target / "manifest.json"
    shutil.copyfile(dbt_target_path(warehouse) / "manifest.json", copy)
    return copy


def peer_matches(peer_dir: Path, published: Path) -> str:
    """Compare the peer's window and curve with the marts; '' when they agree."""
    window = pd.read_parquet(peer_dir / "window.parquet")
    curve = pd.read_parquet(peer_dir / "curve.parquet")
    with duckdb.connect(str(published), read_only=True) as con:
        marts = (
            con.sql(
                "select customer_id, revenue_amount, cost_to_serve_amount, net_profit_amount"
                " from marts.fct_customer_profitability_window order by customer_id"
            )
            .df()
            .set_index("customer_id")
        )
        profit_pct = (
            con.sql("select cumulative_profit_pct from marts.fct_profit_curve order by profit_rank")
            .fetchnumpy()["cumulative_profit_pct"]
            .astype(float)
        )
    if list(marts.index) != sorted(window.index):
        return f"customers differ: {len(marts)} in the marts, {len(window)} in pandas"
    window = window.sort_index()
    for mart, peer in (
        ("revenue_amount", "revenue"),
        ("cost_to_serve_amount", "cost_to_serve"),
        ("net_profit_amount", "net_profit"),
    ):
        # the marts keep amounts as numeric (3 decimals) between models
        difference = np.abs(marts[mart].astype(float) - window[peer]).max()
        if difference > 0.01:
            return f"{mart} differs by up to {difference:.4f}"
    difference = np.abs(profit_pct - curve["cumulative_profit_pct"].to_numpy()).max()
    if difference > 0.001:
        return f"the whale curve differs by up to {difference:.4f} points"
    return ""


def bench_scale(
    work: Path, customers: int, months: int, spark: bool = True, compare: bool = True
) -> dict:
    """The full refresh and the nightly delta at one scale; with `compare`, also the bare
    and loader floors, the pandas peer and Spark, which must give the same marts."""
    root = work / f"{customers}c_{months}m"
    root.mkdir(parents=True, exist_ok=True)
    print(f"== {customers:,} customers, {months} months", flush=True)
    landing, order_lines = landing_for(root, customers, months)
    result: dict = {"customers": customers, "months": months, "order_lines": order_lines}

    for name in ("full", "bare", "floor", "peer", "compiled", "spark"):
        shutil.rmtree(root / name, ignore_errors=True)
        (root / name).mkdir()
    full = root / "full" / "warehouse.duckdb"
    # The refresh's own landing folder, hard links to the generated files: the delta adds
    # its day to it, as the nightly job finds the folder the run before loaded.
    nightly_landing = root / "full" / "landing"
    subprocess.run(["cp", "-al", landing, nightly_landing], check=True)
    result["full"] = measure(
        [BIN / "valuemap", "run", "--landing", nightly_landing, "--warehouse", full],
        root / "full.log",
    )
    print(f"  full   {result['full']}", flush=True)

    if compare:
        _compare(result, root, landing, full, spark)

    # the nightly delta: the full refresh's warehouse and landing folder, in place, as the
    # nightly job finds them, with the new day's files added
    result["delta_rows"] = write_next_day(nightly_landing)
    result["delta"] = measure(
        [BIN / "valuemap", "run", "--landing", nightly_landing, "--warehouse", full],
        root / "delta.log",
    )
    print(f"  delta  {result['delta']} for {result['delta_rows']}", flush=True)
    for name in ("full", "delta", "spark") if spark and compare else ("full", "delta"):
        line = next(
            (x for x in (root / f"{name}.log").read_text().splitlines() if "refresh done" in x), ""
        )
        result[f"{name}_steps"] = line.strip()
    return result


def _compare(result: dict, root: Path, landing: Path, full: Path, spark: bool) -> None:
    manifest = build_manifest(full, root / "compiled")
    for name, options in (("bare", ["--bare"]), ("floor", [])):
        result[name] = measure(
            [
                sys.executable,
                "-m",
                "benchmarks.floor",
                "--landing",
                landing,
                "--manifest",
                manifest,
                "--warehouse",
                root / name / "warehouse.duckdb",
                *options,
            ],
            root / f"{name}.log",
        )
        result[name] |= json.loads((root / f"{name}.log").read_text().strip().splitlines()[-1])
        print(f"  {name:<6} {result[name]}", flush=True)
    # the bare floor computes the same marts: else its time would not be a floor
    differences = compare_marts(
        full.with_name("warehouse_published.duckdb"),
        root / "bare" / "warehouse.duckdb",
        PROJECT_ROOT / "target" / "manifest.json",
    )
    result["bare_differs"] = "; ".join(f"{d.mart}: {d.problem}" for d in differences)

    result["peer"] = measure(
        [sys.executable, "-m", "benchmarks.peer", "--landing", landing, "--out", root / "peer"],
        root / "peer.log",
    )
    result["peer_differs"] = peer_matches(
        root / "peer", full.with_name("warehouse_published.duckdb")
    )
    print(f"  peer   {result['peer']} {result['peer_differs'] or 'same numbers as the marts'}")

    if spark:
        on_spark = root / "spark" / "warehouse.duckdb"
        command = [BIN / "valuemap", "run", "--landing", landing, "--warehouse", on_spark]
        result["spark"] = measure([*command, "--engine", "spark"], root / "spark.log")
        differences = compare_marts(
            full.with_name("warehouse_published.duckdb"),
            on_spark.with_name("warehouse_published.duckdb"),
            PROJECT_ROOT / "target" / "manifest.json",
        )
        # the table says which marts differ; the console also shows sample rows
        result["spark_differs"] = "; ".join(f"{d.mart}: {d.problem}" for d in differences)
        print(f"  spark  {result['spark']} {result['spark_differs'] or 'same marts'}", flush=True)
        for difference in differences:
            print(f"    {difference}"[:1000], flush=True)


def _timed(result: dict, name: str, full_first: bool = False) -> list[str]:
    """A measurement's time and its ratio with the full refresh (full / it, or it / full),
    or "not run" (--refresh-only, --no-spark)."""
    if name not in result:
        return ["not run", ""]
    seconds, full = result[name]["seconds"], result["full"]["seconds"]
    return [f"{seconds:.1f} s", f"{(full / seconds if full_first else seconds / full):.2f}"]


def table(results: list[dict]) -> str:
    rows = [
        "| customers | order lines | full refresh | peak | bare floor | full / bare"
        " | loader floor | full / loader floor | pandas peer | peer / full | nightly delta"
        " | delta / full | peer = marts = bare"
        " | on Spark | Spark peak | Spark / full | Spark = marts |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in results:
        full = r["full"]["seconds"]
        same = "; ".join(d for d in (r.get("peer_differs"), r.get("bare_differs")) if d) or "yes"
        spark = (
            [
                f"{r['spark']['seconds']:.1f} s",
                f"{r['spark']['peak_mb']:,} MB",
                f"{r['spark']['seconds'] / full:.2f}",
                r["spark_differs"] or "yes",
            ]
            if "spark" in r
            else ["not run", "", "", ""]
        )
        cells = [
            f"{r['customers']:,}",
            f"{r['order_lines']:,}",
            f"{full:.1f} s",
            f"{r['full']['peak_mb']:,} MB",
            *_timed(r, "bare", full_first=True),
            *_timed(r, "floor", full_first=True),
            *_timed(r, "peer"),
            *_timed(r, "delta"),
            same if "bare" in r else "",
            *spark,
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of the refresh (benchmarks/README.md)")
    parser.add_argument(
        "--customers",
        type=int,
        action="append",
        help="a scale, in customers (repeatable; default 10000, 50000, 200000)",
    )
    parser.add_argument("--months", type=int, default=36, help="months of history (default 36)")
    parser.add_argument("--work", default="data/bench", help="working folder (default data/bench)")
    parser.add_argument(
        "--no-spark", action="store_true", help="leave out the run on Spark (the spark extra)"
    )
    parser.add_argument(
        "--refresh-only",
        action="store_true",
        help="only the full refresh and the nightly delta (no floors, peer or Spark)",
    )
    args = parser.parse_args(argv)
    work = (PROJECT_ROOT / args.work).resolve()
    scales = args.customers or DEFAULT_SCALES
    results = [
        bench_scale(work, c, args.months, not args.no_spark, not args.refresh_only) for c in scales
    ]
    (work / "results.json").write_text(json.dumps(results, indent=2))
    print(table(results))
    failed = [
        r
        for r in results
        if r.get("peer_differs") or r.get("bare_differs") or r.get("spark_differs")
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
