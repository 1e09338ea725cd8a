"""Compare the marts of two build files row by row: the proof that DuckDB and Spark give
the same numbers (tests/test_spark.py, benchmarks/run.py).

Rows are matched on each mart's grain, read from its uniqueness test in the dbt manifest
(`grain_and_not_null`, or `unique` for a mart of one row). Numbers match to the cent:
they may differ by less than half a cent, since the engines keep different decimal
scales. Everything else matches exactly. The run-specific columns (snapshot id and
times, the load a row was built through) are left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from valuemap.publish import MARTS_SCHEMA
from valuemap.sql import quote_identifier as _quote
from valuemap.sql import quote_literal as _literal
from valuemap.warehouse import connect

TOLERANCE = 0.005
# set by each run (dbt's invocation id and start time), so never equal across two runs,
# and the load an incremental row was built through, which depends on the build's history
RUN_COLUMNS = {
    "snapshot_id",
    "snapshot_at",
    "previous_snapshot_at",
    "current_snapshot_at",
    "loaded_through_load_id",
}
_NUMERIC = ("DECIMAL", "DOUBLE", "FLOAT", "REAL", "HUGEINT", "BIGINT", "INTEGER", "SMALLINT")


@dataclass(frozen=True)
class MartDifference:
    mart: str
    problem: str
    sample: list[tuple] | None = None

    def __str__(self) -> str:
        sample = f"; e.g. {self.sample[:2]}" if self.sample else ""
        return f"{self.mart}: {self.problem}{sample}"


def mart_grains(manifest: Path) -> dict[str, list[str]]:
    """Each mart's grain: the columns of its uniqueness test in the dbt manifest."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    grains: dict[str, list[str]] = {}
    for node in nodes.values():
        test = node.get("test_metadata") or {}
        parents = node.get("depends_on", {}).get("nodes", [])
        if node["resource_type"] != "test" or len(parents) != 1:
            continue
        model = nodes.get(parents[0], {})
        if model.get("schema") != MARTS_SCHEMA:
            continue
        if test.get("name") == "grain_and_not_null":
            grains[model["name"]] = list(test["kwargs"]["key"])
        elif test.get("name") == "unique":
            grains.setdefault(model["name"], [node["column_name"]])
    return grains


def compare_marts(left: Path, right: Path, manifest: Path) -> list[MartDifference]:
    """Every difference between the marts of two DuckDB build files (none: the same)."""
    grains = mart_grains(manifest)
    differences: list[MartDifference] = []
    with connect() as con:
        con.execute(f"attach {_literal(str(left))} as l (read_only)")
        con.execute(f"attach {_literal(str(right))} as r (read_only)")
        columns = {side: _columns(con, side) for side in ("l", "r")}
        for mart in sorted(set(columns["l"]) ^ set(columns["r"])):
            side = "left" if mart in columns["l"] else "right"
            differences.append(MartDifference(mart, f"only in the {side} warehouse"))
        for mart in sorted(set(columns["l"]) & set(columns["r"])):
            left_columns, right_columns = columns["l"][mart], columns["r"][mart]
            if list(left_columns) != list(right_columns):
                differences.append(
                    MartDifference(
                        mart, f"columns differ: {list(left_columns)} != {list(right_columns)}"
                    )
                )
                continue
            grain = [c for c in grains.get(mart, []) if c not in RUN_COLUMNS]
            if not grain:
                differences.append(MartDifference(mart, "no uniqueness test names its grain"))
                continue
            differences += _compare_rows(con, mart, grain, left_columns, right_columns)
    return differences


def _columns(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, dict[str, str]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns"
        f" where table_catalog = {_literal(catalog)} and table_schema = {_literal(MARTS_SCHEMA)}"
        " order by table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, {})[column] = data_type
    return tables


def _compare_rows(
    con: duckdb.DuckDBPyConnection,
    mart: str,
    grain: list[str],
    left_types: dict[str, str],
    right_types: dict[str, str],
) -> list[MartDifference]:
    relation = f"{MARTS_SCHEMA}.{_quote(mart)}"
    found = []
    for side in ("l", "r"):
        (count,) = con.execute(f"select count(*) from {side}.{relation}").fetchone()
        found.append(count)
    if found[0] != found[1]:
        return [MartDifference(mart, f"{found[0]} rows != {found[1]} rows")]
    on = " and ".join(f"a.{_quote(c)} is not distinct from b.{_quote(c)}" for c in grain)
    unmatched = f"a.{_quote(grain[0])} is null or b.{_quote(grain[0])} is null"
    checks = [f"({unmatched})"]
    for column, data_type in left_types.items():
        if column in grain or column in RUN_COLUMNS:
            continue
        a, b = f"a.{_quote(column)}", f"b.{_quote(column)}"
        if data_type.startswith(_NUMERIC) and right_types[column].startswith(_NUMERIC):
            checks.append(
                f"(({a} is null) <> ({b} is null)"
                f" or abs(cast({a} as double) - cast({b} as double)) >= {TOLERANCE})"
            )
        else:
            checks.append(f"({a} is distinct from {b})")
    query = (
        f"select * from l.{relation} as a full join r.{relation} as b on {on}"
        f" where {' or '.join(checks)}"
    )
    (count,) = con.execute(f"select count(*) from ({query})").fetchone()
    if not count:
        return []
    sample = con.execute(f"{query} limit 3").fetchall()
    return [MartDifference(mart, f"{count} of {found[0]} rows differ", sample)]
