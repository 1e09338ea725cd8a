"""Great Expectations suites on the marts: business invariants the loader cannot see.

The landing contract has one enforcer, the loader (valuemap/loader/): its types, required
values, accepted values, ranges, keys and references are not checked again here.

A suite is a GX 1.x ExpectationSuite stored as JSON in `expectations/marts/`, with one extra
key in its `meta`: `valuemap`, saying what it validates:
  query       the SQL whose rows are validated (a table, or a query for invariants that
              span rows, e.g. "the last point of the whale curve")
  asset       the Dagster asset key the result belongs to
  blocking    a failed expectation of severity `critical` stops the refresh before publish
  since_load  validate only the rows of loads not validated before (`_load_id`; the
              incremental marts give their loaded_through_load_id as _load_id)
  key         columns that identify a failing row in the sample
Why pandas and batches: GX 1.24's SQL datasource fails every expectation on DuckDB
(upstream GX #11579), so rows are streamed from DuckDB as Arrow batches of
VALUEMAP_GE_BATCH_ROWS (default 250,000) and each batch is validated as a pandas frame
(a cheap pass first, the detailed one only where an expectation fails: `validate`).
Memory stays bounded at any scale; per-row expectations are exact, uniqueness holds
within a batch (the dbt tests enforce it on whole tables).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from valuemap import bookkeeping
from valuemap.bookkeeping import newest_load_id
from valuemap.contract import LOAD_COLUMNS
from valuemap.settings import Settings
from valuemap.sql import quote_identifier

# The project's suites; a run reads those of its settings, by default these.
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


def load_suites(folder: Path = EXPECTATIONS_DIR) -> list[Suite]:
    """The mart suites (`<folder>/marts/*.json`), by name."""
    return [
        Suite(path.stem, path, json.loads(path.read_text()))
        for path in sorted((folder / "marts").glob("*.json"))
    ]


# ---------------------------------------------------------------- validation


def _gx() -> Any:
    """Great Expectations, offline: no usage statistics, no version check (GX reads the
    setting when it is imported)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations

    return great_expectations


def import_gx_in_background() -> None:
    """Import Great Expectations (3-4 s of Python) in a thread of its own, started with
    the dbt build, which waits on dbt's own process: not with the refresh, where it held
    the interpreter's lock against the loader (a tiny load took 2-4 s instead of 0.7 s)."""
    threading.Thread(target=_gx, daemon=True).start()


def gx_suite_from(spec: dict[str, Any]) -> Any:
    return _gx().ExpectationSuite(name=spec["name"], expectations=spec["expectations"])


def _gx_batch_definition() -> Any:
    gx = _gx()
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
    """A `since_load` suite validates only new loads: those after the last run in which
    the suite passed."""
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
