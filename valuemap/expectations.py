"""Great Expectations suites on the warehouse: the raw layer (the contract, a second line
behind the loader) and the marts (business invariants).

A suite is a GX 1.x ExpectationSuite stored as JSON in `expectations/`, with one extra
key in its `meta`: `valuemap`, saying what it validates:
  query       the SQL whose rows are validated (a table, or a query for invariants that
              span rows, e.g. "the last point of the whale curve")
  asset       the Dagster asset key the result belongs to
  blocking    a failed expectation of severity `critical` stops the refresh before publish
  since_load  validate only the rows of loads not validated before (`_load_id`; the
              incremental marts give their loaded_through_load_id as _load_id)
  key         columns that identify a failing row in the sample
References (an order's customer) are joined in the suite's query, and an expectation
checks that the parent was found.

Why pandas and batches: GX 1.24's SQL datasource fails every expectation on DuckDB
(upstream GX #11579), so rows are streamed from DuckDB as Arrow batches of
VALUEMAP_GE_BATCH_ROWS (default 250,000) and each batch is validated as a pandas frame
(a cheap pass first, the detailed one only where an expectation fails: `validate`).
Memory stays bounded at any scale; per-row expectations are exact, uniqueness holds
within a batch (the loader and dbt tests enforce it on whole tables).

The raw suites are generated from valuemap/contract.py (`python -m valuemap.expectations`);
tests/test_expectations.py fails when they are out of date.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from valuemap import bookkeeping
from valuemap.bookkeeping import newest_load_id
from valuemap.contract import LOAD_COLUMNS, TABLES, TABLES_BY_PATH, Table
from valuemap.settings import Settings
from valuemap.sql import quote_identifier

# The project's suites (the raw ones generated from the contract); a run reads those of
# its settings, by default these.
EXPECTATIONS_DIR = Settings.expectations_dir
SAMPLE_SIZE = 5


@dataclass(frozen=True)
class Suite:
    name: str
    path: Path
    spec: dict[str, Any]

    @property
    def meta(self) -> dict[str, Any]:
        return self.spec["meta"]["valuemap"]

    @property
    def asset(self) -> list[str]:
        return self.meta["asset"]

    @property
    def table(self) -> str:
        """The table the suite validates: the first one its query reads."""
        return self.meta["query"].split(" from ", 1)[1].split()[0]

    @property
    def layer(self) -> str:
        return self.path.parent.name

    @property
    def blocking(self) -> bool:
        return bool(self.meta.get("blocking", True))


@dataclass
class ExpectationOutcome:
    expectation_type: str
    column: str | None
    kwargs: dict[str, Any]
    severity: str
    success: bool = True
    unexpected_count: int = 0
    sample: list[Any] = field(default_factory=list)

    def describe(self, table: str) -> str:
        where = f"{table}.{self.column}" if self.column else table
        return f"{self.expectation_type} on {where}: {self.unexpected_count} failing row(s)"


@dataclass
class SuiteOutcome:
    suite: Suite
    outcomes: list[ExpectationOutcome]
    rows_validated: int
    validated_through_load_id: int | None

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.failed if o.severity == "critical" and self.suite.blocking]


# ---------------------------------------------------------------- suites


def load_suites(layer: str, folder: Path = EXPECTATIONS_DIR) -> list[Suite]:
    """The suites of one layer (`raw` or `marts`), by name."""
    return [
        Suite(path.stem, path, json.loads(path.read_text()))
        for path in sorted((folder / layer).glob("*.json"))
    ]


def raw_suite(table: Table) -> dict[str, Any]:
    """The contract of one landing table as an ExpectationSuite (JSON)."""
    expectations: list[dict[str, Any]] = []

    def expect(kind: str, meta: dict | None = None, **kwargs: Any) -> None:
        expectations.append(
            {"type": kind, "kwargs": kwargs, "meta": meta or {}, "severity": "critical"}
        )

    for column in table.columns:
        if not column.nullable:
            expect("expect_column_values_to_not_be_null", column=column.name)
        if column.type == "enum":
            expect(
                "expect_column_values_to_be_in_set",
                column=column.name,
                value_set=list(column.values),
            )
        if column.low is not None or column.high is not None:
            bounds: dict[str, Any] = {"column": column.name}
            if column.low is not None:
                bounds.update(min_value=column.low, strict_min=column.low_exclusive)
            if column.high is not None:
                bounds["max_value"] = column.high
            expect("expect_column_values_to_be_between", **bounds)
    if len(table.key) == 1:
        expect("expect_column_values_to_be_unique", column=table.key[0])
    else:
        expect("expect_compound_columns_to_be_unique", column_list=list(table.key))
    # References are joined in DuckDB (fast at any scale); GX checks that a parent was found.
    joins = []
    for number, fk in enumerate(table.foreign_keys):
        if len(fk.columns) != 1:
            continue  # composite references (return -> order line) stay with the loader
        parent = TABLES_BY_PATH[fk.parent]
        found = f"_parent_of_{fk.columns[0]}"
        joins.append(
            f" left join (select distinct {fk.parent_columns[0]} as {found}"
            f" from raw.{parent.raw_name}) as p{number} on t.{fk.columns[0]} = p{number}.{found}"
        )
        expect(
            "expect_column_values_to_not_be_null",
            meta={"notes": f"{fk.message}: {fk.columns[0]} not in {fk.parent}"},
            column=found,
            row_condition=f"{fk.columns[0]}.notnull()",
            condition_parser="pandas",
        )
    return {
        "name": f"raw__{table.raw_name}",
        "expectations": expectations,
        "meta": {
            "valuemap": {
                "query": f"select * from raw.{table.raw_name} as t{''.join(joins)}",
                "asset": [table.source, table.name],
                "blocking": True,
                "since_load": True,
                "key": list(table.key),
            }
        },
    }


def expected_raw_files() -> dict[Path, str]:
    return {
        EXPECTATIONS_DIR / "raw" / f"{table.raw_name}.json": json.dumps(raw_suite(table), indent=2)
        + "\n"
        for table in TABLES
    }


# ---------------------------------------------------------------- validation


def gx_suite_from(spec: dict[str, Any]) -> Any:
    import great_expectations as gx

    return gx.ExpectationSuite(name=spec["name"], expectations=spec["expectations"])


def _gx_batch_definition() -> Any:
    # No usage statistics, no version check: GX runs offline.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints every batch under 1 GB by hashing all its cells, twice (a third of
    # the validation time at 10M rows); the fingerprint only names the batch, and our
    # batches are named by the suite and the load they validate.
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.enable_analytics(False)
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas("warehouse")
    return source.add_dataframe_asset("rows").add_batch_definition_whole_dataframe("batch")


def _config_key(configuration: Any) -> str:
    arguments = {k: v for k, v in configuration.kwargs.items() if k != "batch_id"}
    return configuration.type + json.dumps(arguments, sort_keys=True, default=str)


def validate(
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    since_load_id: int | None = None,
    batch_rows: int = Settings.gx_batch_rows,
) -> SuiteOutcome:
    """Validate a suite's rows in batches; every expectation's outcome is summed over them.

    Each batch is validated first with GX's `BOOLEAN_ONLY` result format, which computes
    only whether each expectation holds; only a batch where one fails is validated again
    with `SUMMARY`, for the failing rows' count and sample. Most batches pass, and the
    summary's extra metrics (unexpected values and index lists) cost about as much again.
    """
    query = suite.meta["query"]
    through = None
    if suite.meta.get("since_load"):
        through = newest_load_id(con)
        query = f"select * from ({query}) where _load_id > {int(since_load_id or 0)}"
    outcomes = [
        ExpectationOutcome(
            item["type"],
            item["kwargs"].get("column"),
            item["kwargs"],
            item.get("severity", "critical"),
        )
        for item in suite.spec["expectations"]
    ]
    key = suite.meta.get("key", [])
    summary_format = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": SAMPLE_SIZE,
        **({"unexpected_index_column_names": key} if key else {}),
    }
    # Only the columns the suite can look at: GX hashes every column of every batch.
    load_columns = {name for name, _, _ in LOAD_COLUMNS}
    relation = con.sql(query)
    selected = ", ".join(
        # Decimals as doubles: GX is four times slower on Python Decimal objects.
        f"cast({quote_identifier(name)} as double) as {quote_identifier(name)}"
        if str(sql_type).startswith("DECIMAL")
        else quote_identifier(name)
        for name, sql_type in zip(relation.columns, relation.types, strict=True)
        if name not in load_columns
    )
    rows = 0
    gx_suite = definition = config_keys = None
    # Arrow batches, not DuckDB's pandas conversion: text stays Arrow-backed strings
    # (pandas' own string type) instead of one Python object per value, three times
    # faster to fetch and faster for GX's null, set and uniqueness checks.
    for record_batch in relation.select(selected).to_arrow_reader(batch_rows):
        if not record_batch.num_rows:
            continue
        frame = record_batch.to_pandas(date_as_object=False)
        rows += len(frame)
        if definition is None:  # GX takes seconds to import: not for a suite with no new rows
            gx_suite, definition = gx_suite_from(suite.spec), _gx_batch_definition()
            config_keys = [_config_key(e.configuration) for e in gx_suite.expectations]
        batch = definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(gx_suite, result_format={"result_format": "BOOLEAN_ONLY"})
        if result.success:
            continue
        result = batch.validate(gx_suite, result_format=summary_format)
        # GX reorders results (by metric); match them to the suite by type and arguments
        by_config = {_config_key(r.expectation_config): r for r in result.results}
        for outcome, config_key in zip(outcomes, config_keys, strict=True):
            item = by_config[config_key]
            details = item.result or {}
            outcome.success = outcome.success and bool(item.success)
            outcome.unexpected_count += int(details.get("unexpected_count") or 0)
            if not item.success and len(outcome.sample) < SAMPLE_SIZE:
                sample = (
                    details.get("partial_unexpected_index_list")
                    or details.get("partial_unexpected_list")
                    or [details.get("observed_value")]
                )
                outcome.sample += sample[: SAMPLE_SIZE - len(outcome.sample)]
    return SuiteOutcome(suite, outcomes, rows, through)


# ---------------------------------------------------------------- results


def last_validated_load_id(con: duckdb.DuckDBPyConnection, suite: Suite) -> int:
    """Raw suites validate only new loads: those after the last run in which the suite passed."""
    return bookkeeping.last_validated_load_id(con, suite.name)


def record(con: duckdb.DuckDBPyConnection, run_id: str, outcome: SuiteOutcome) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    bookkeeping.record_validation_results(
        con,
        [
            [
                run_id,
                now,
                outcome.suite.layer,
                outcome.suite.name,
                "/".join(outcome.suite.asset),
                o.expectation_type,
                o.column,
                json.dumps(o.kwargs, default=str),
                o.severity,
                o.success,
                outcome.rows_validated,
                o.unexpected_count,
                json.dumps(o.sample, default=str) if o.sample else None,
                outcome.validated_through_load_id,
            ]
            for o in outcome.outcomes
        ],
    )


def main() -> int:
    """Write the raw suites from the contract."""
    for path, text in expected_raw_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    print(f"wrote {len(TABLES)} raw suites to {EXPECTATIONS_DIR / 'raw'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
