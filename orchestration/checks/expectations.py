"""Great Expectations suites as Dagster asset checks on the real DuckDB marts.

One multi-asset check, after dbt and before publish. A failed `critical` expectation of
a blocking suite fails its check with severity ERROR; the check is blocking, so the
publish does not run and the published marts stay as they were. Every outcome is kept
in `quality.validation_results` of the warehouse. The landing contract is not checked
here: the loader enforces it, and its rejects and held rows are the ingest asset's
metadata.
"""

import json
from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from orchestration.resources import Warehouse
from valuemap.expectations import (
    Suite,
    SuiteOutcome,
    last_validated_load_id,
    load_suites,
    record,
    validate,
)


def _spec(suite: Suite) -> AssetCheckSpec:
    return AssetCheckSpec(
        name=f"gx_{suite.name}",
        asset=AssetKey(suite.asset),
        blocking=suite.blocking,
        description=f"Great Expectations suite expectations/{suite.layer}/{suite.name}.json",
    )


def _result(outcome: SuiteOutcome) -> AssetCheckResult:
    suite = outcome.suite
    failures = [o.describe(suite.table) for o in outcome.failed]
    blocking = bool(outcome.blocking_failures)
    return AssetCheckResult(
        asset_key=AssetKey(suite.asset),
        check_name=f"gx_{suite.name}",
        passed=not outcome.failed,
        severity=AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN,
        description="; ".join(failures) if failures else None,
        metadata={
            "rows_validated": outcome.rows_validated,
            "expectations": len(outcome.outcomes),
            "failed_expectations": len(failures),
            "failures": MetadataValue.json(
                [
                    {
                        "expectation": o.expectation_type,
                        "column": o.column,
                        "unexpected_count": o.unexpected_count,
                        "sample": o.sample,
                    }
                    for o in outcome.failed
                ]
            ),
        },
    )


def _run(
    context: AssetCheckExecutionContext, warehouse: Warehouse, suites: list[Suite]
) -> Iterator[AssetCheckResult]:
    with warehouse.connect() as con:
        for suite in suites:
            since = last_validated_load_id(con, suite) if suite.meta.get("since_load") else None
            outcome = validate(con, suite, since, warehouse.gx_batch_rows)
            record(con, context.run.run_id, outcome)
            for failure in outcome.failed:
                context.log.warning(
                    f"{suite.name}: {failure.describe(suite.table)};"
                    f" sample {json.dumps(failure.sample, default=str)}"
                )
            yield _result(outcome)


def expectation_checks(folder: Path) -> list[AssetChecksDefinition]:
    """The check of the suites in `folder` (Settings.expectations_dir)."""
    mart_suites = load_suites(folder)

    @multi_asset_check(specs=[_spec(s) for s in mart_suites], name="mart_expectations")
    def mart_expectations(context: AssetCheckExecutionContext, warehouse: Warehouse):
        """Business invariants of the marts BI reads."""
        yield from _run(context, warehouse, mart_suites)

    return [mart_expectations]
