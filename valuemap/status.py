"""`valuemap status`: the state of a warehouse as a data engineer checks it in the
morning: when the marts were last published, their row counts, the files with rejects,
and the expectations that failed in the last validation."""

from __future__ import annotations

from datetime import datetime

import duckdb

from valuemap.bookkeeping import (
    failed_expectations,
    files_rejected_whole_by_the_last_run,
    last_validation,
    problem_files,
)
from valuemap.held import held_lines, held_summary
from valuemap.settings import Settings
from valuemap.warehouse import connect


def print_status(settings: Settings) -> int:
    """Print the status; 0 when the marts are published, the last validation had no
    blocking failure, the last run rejected no file whole, and no held row waits
    longer than VALUEMAP_HELD_ATTENTION_DAYS; 1 otherwise."""
    healthy = True
    if settings.published.exists():
        published_at = datetime.fromtimestamp(settings.published.stat().st_mtime)
        print(f"published    {settings.published} at {published_at:%Y-%m-%d %H:%M:%S}")
        with connect(settings.published, read_only=True, config=settings.budget) as con:
            tables = con.execute(
                "select table_name from information_schema.tables"
                " where table_schema = 'marts' order by table_name"
            ).fetchall()
            for (table,) in tables:
                (count,) = con.execute(f'select count(*) from marts."{table}"').fetchall()[0]
                print(f"  marts.{table:<40} {count:>12,} rows")
    else:
        print(f"published    nothing yet ({settings.published} does not exist)")
        healthy = False
    if not settings.warehouse.exists():
        print(f"warehouse    {settings.warehouse} does not exist: no refresh has run")
        return 1
    try:
        con = connect(settings.warehouse, read_only=True, config=settings.budget)
    except duckdb.IOException:
        print(f"warehouse    {settings.warehouse} is in use: a refresh is running")
        return 0 if healthy else 1
    with con:
        problems = problem_files(con)
        print(f"rejects      {len(problems)} file(s) with rejected rows or rejected whole")
        for loaded_at, problem in problems:
            print(f"  {loaded_at:%Y-%m-%d} {problem}")
        whole = files_rejected_whole_by_the_last_run(con)
        if whole:
            print(f"last run     rejected {len(whole)} file(s) whole: deliver them again, readable")
            healthy = False
        held = held_summary(con, settings.held_attention_days)
        print(f"held         {sum(row[1] for row in held):,} row(s) waiting (quality.held_rows)")
        for line in held_lines(held, settings.held_attention_days):
            print(f"  {line}")
        # a row waiting longer than the setting needs someone to act
        healthy = healthy and not any(row[3] for row in held)
        last = last_validation(con)
        if not last:
            print("checks       no validation yet")
            return 1
        run_id, validated_at = last
        failed = failed_expectations(con, run_id)
        print(
            f"checks       last validation {validated_at:%Y-%m-%d %H:%M:%S}: {len(failed)} failed"
        )
        for suite, expectation, column, severity, count in failed:
            print(f"  {severity:<8} {suite}: {expectation} on {column}: {count:,} row(s)")
            healthy = healthy and severity != "critical"
    return 0 if healthy else 1
