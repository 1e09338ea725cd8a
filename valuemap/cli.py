"""The `valuemap` command: generate demo data, run the refresh, or both (`demo`)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from valuemap.settings import ENGINES, PROJECT_ROOT, Settings
from valuemap.warehouse import dbt_target_path, lock_path, logs_path, published_path

DEMO_DIR = PROJECT_ROOT / "data" / "demo"


def _generate(out: Path, customers: int, months: int, seed: int) -> dict[str, int]:
    from valuemap.generate import Scale, generate, write_manifest

    scale = Scale(customers=customers, months=months, seed=seed)
    counts = generate(out, scale)
    write_manifest(out, scale, counts)
    return counts


def cmd_generate(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    counts = _generate(Path(args.out), args.customers, args.months, args.seed)
    print(
        f"wrote {sum(counts.values()):,} rows in {len(counts)} tables to {args.out}"
        f" ({counts['orders/order_lines']:,} order lines) in {time.perf_counter() - started:.1f}s"
    )
    return 0


# Faults of the machine, not of the data: the reason says so, whatever the run loaded.
MACHINE_FAULTS = ("No space left on device", "Read-only file system", "Permission denied")
# Exit codes of `valuemap run` (README: The command line).
EXIT_DONE, EXIT_FAILED, EXIT_USAGE, EXIT_FILES_REJECTED, EXIT_BUSY = 0, 1, 2, 3, 4


def fail(reason: str, code: int = EXIT_FAILED, command: str = "run") -> int:
    """The one line a scheduler shows: the root cause and what to act on."""
    print(f"valuemap {command} failed: {reason}", file=sys.stderr)
    return code


def run_refresh(settings: Settings) -> int:
    """Run the Dagster job `refresh` in this process; print a summary, or one line naming
    the root cause. Exit codes: EXIT_*."""
    try:
        return _run_refresh(settings)
    except OSError as error:  # a full disk, a read-only folder: name the file
        where = f" ({error.filename})" if error.filename else ""
        return fail(f"{error.strerror or error}{where}: free space or fix the permissions there")


def _run_refresh(settings: Settings) -> int:
    started = time.perf_counter()
    started_at = datetime.now()  # local time, as DuckDB's current_timestamp in the load log
    settings.export()
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if not settings.landing.is_dir():
        return fail(f"landing folder {settings.landing} does not exist", EXIT_USAGE)
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    log_path = (
        logs_path(settings.warehouse) / f"refresh-{started_at:%Y%m%d-%H%M%S}-{os.getpid()}.log"
    )
    with refresh_lock(settings.warehouse, log_path) as holder:
        if holder is not None:
            return fail(
                f"a refresh is already running on {settings.warehouse} ({holder}); run again"
                " when it has ended",
                EXIT_BUSY,
            )
        problem = warehouse_problem(settings.warehouse)
        if problem:
            return fail(problem)
        return _run_job(settings, started, started_at, log_path)


# The first line of a dagster.yaml that valuemap writes and may write again; the
# line-less one before it wrote only the telemetry setting. Any other file is the user's.
DAGSTER_YAML_MARK = "# written by valuemap (valuemap/cli.py: prepare_dagster_home)\n"
EARLIER_DAGSTER_YAML = "telemetry:\n  enabled: false\n"


def prepare_dagster_home(home: Path) -> Path:
    """The folder of a Dagster instance, with its dagster.yaml: no telemetry, and the
    event log in Dagster's usual place, through a storage that keeps its connections
    (orchestration/event_log.py). Written again when it differs (the folder may have
    moved with its warehouse), unless it is not one valuemap wrote: a $DAGSTER_HOME of
    the user's own keeps its configuration."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    text = (
        DAGSTER_YAML_MARK + EARLIER_DAGSTER_YAML + "event_log_storage:\n"
        "  module: orchestration.event_log\n"
        "  class: KeptConnectionsEventLogStorage\n"
        "  config:\n"
        f"    base_dir: {json.dumps(str(home.resolve() / 'history' / 'runs'))}\n"
    )
    current = config.read_text(encoding="utf-8") if config.exists() else None
    ours = current is None or current.startswith(DAGSTER_YAML_MARK)
    if (ours or current == EARLIER_DAGSTER_YAML) and current != text:
        config.write_text(text, encoding="utf-8")
    return home


def _run_job(settings: Settings, started: float, started_at: datetime, log_path: Path) -> int:
    from valuemap.dbt_runs import ProjectParseError, start_project_parse

    start_project_parse()  # on a fresh clone, dbt parses while Dagster is imported
    import sqlite3

    from dagster import AssetCheckSeverity, DagsterEventType, DagsterInstance
    from sqlalchemy.exc import SQLAlchemyError

    try:
        from orchestration.definitions import defs
    except ProjectParseError as error:
        return fail(f"{error}: fix that file and run again")
    setup_seconds = time.perf_counter() - started
    log_path.parent.mkdir(parents=True, exist_ok=True)
    latest = log_path.with_name("refresh.log")  # the newest run's log, under a stable name
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    # The run, its materializations and check results are kept in the Dagster instance
    # beside the warehouse, which `valuemap ui` shows. dbt's own output goes to the run
    # log; the console shows warnings and the summary.
    home = prepare_dagster_home(settings.dagster_home)
    try:
        with DagsterInstance.from_config(str(home)) as instance, log_path.open("w") as log_file:
            with contextlib.suppress(OSError):
                latest.unlink(missing_ok=True)
                latest.symlink_to(log_path.name)
            with contextlib.redirect_stdout(log_file):
                result = defs.resolve_job_def("refresh").execute_in_process(
                    run_config=quiet, instance=instance, raise_on_error=False
                )
            records = instance.all_logs(result.run_id)
    except (sqlite3.Error, SQLAlchemyError) as error:  # its SQLite files cannot be written
        message = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return fail(
            f"the Dagster instance in {home} cannot be written ({message}): free space or"
            " fix the permissions there, and run again"
        )
    step_seconds: dict[str, float] = {}
    step_started: dict[str, float] = {}
    failure = None
    failed_checks: dict[str, str] = {}  # step -> the first blocking check that failed in it
    for record in records:
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            step_started[event.step_key] = record.timestamp
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            step_seconds[event.step_key] = record.timestamp - step_started.get(event.step_key, 0)
        if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            check = event.event_specific_data
            if not check.passed and check.severity == AssetCheckSeverity.ERROR:
                failed_checks.setdefault(
                    event.step_key,
                    f"check {check.check_name} on {check.asset_key.to_user_string()}"
                    + (f": {check.description}" if check.description else ""),
                )
        if event.event_type == DagsterEventType.STEP_FAILURE and failure is None:
            # a failed check says more than the exception that reports it, and the
            # exception's cause more than Dagster's wrapper of it
            message = failed_checks.get(event.step_key) or root_cause(
                event.step_failure_data.error, settings.warehouse
            )
            failure = f"step {event.step_key} failed: {message} (log: {log_path})"
    rejected = rejected_files(settings, started_at)
    if not result.success:
        reason = failure or f"see the Dagster event log in {log_path}"
        if any(words in reason for words in MACHINE_FAULTS):
            reason += ": free space or fix the permissions there, and run again"
        elif "Out of Memory Error" in reason:
            reason += (
                f": DuckDB's memory limit ({settings.duckdb_memory_limit}) is too small for"
                " this data; raise VALUEMAP_DUCKDB_MEMORY_LIMIT and run again"
            )
        elif rejected:  # the file is the cause to act on; the step only tripped over it
            reason = f"{rejected[0]} was rejected whole; then {reason}"
        return fail(reason)

    from valuemap.summary import print_summary

    timings = {"setup": setup_seconds, **step_seconds}
    try:
        print_summary(settings, timings, time.perf_counter() - started, started_at)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader of the summary stopped reading (`valuemap run | head -1`): the refresh
        # is done all the same, so this is no failure (and not a full disk).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if rejected:
        print(
            f"valuemap run finished, but {len(rejected)} file(s) were rejected whole:"
            f" {rejected[0]}" + (f" (and {len(rejected) - 1} more)" if len(rejected) > 1 else ""),
            file=sys.stderr,
        )
        return EXIT_FILES_REJECTED
    return EXIT_DONE


@contextlib.contextmanager
def refresh_lock(warehouse: Path, log_path: Path):
    """Hold `<warehouse>.lock` for the run; yields None, or the running refresh that holds
    it (its pid, start and log). The lock goes with the process, even on kill -9."""
    import fcntl

    lock = lock_path(warehouse)
    with lock.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            yield handle.read().strip() or "another process"
            return
        handle.seek(0)
        handle.truncate()
        handle.write(
            f"pid {os.getpid()}, started {datetime.now():%Y-%m-%d %H:%M:%S}, log {log_path}"
        )
        handle.flush()
        try:
            yield None
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def warehouse_problem(warehouse: Path) -> str | None:
    """Why the warehouse cannot be opened for writing, in words to act on; None if it can."""
    import duckdb

    from valuemap.warehouse import connect

    try:
        connect(warehouse).close()
    except duckdb.IOException as error:
        message = str(error).strip().splitlines()[0]
        if "lock" in message.lower():
            return (
                f"the warehouse {warehouse} is open in another process ({message});"
                " close it (BI reads the published copy, not this file)"
            )
        return _damaged(warehouse, message)
    except duckdb.Error as error:
        return _damaged(warehouse, str(error).strip().splitlines()[0])
    return None


def _damaged(warehouse: Path, message: str) -> str:
    return (
        f"the warehouse {warehouse} cannot be opened ({message}): restore it from a backup,"
        " or move it away to rebuild it from the landing folder"
    )


def root_cause(error, warehouse: Path) -> str:
    """The innermost exception under Dagster's wrappers, as 'Type: first line'; for dbt,
    the first node that failed, from its run_results.json."""
    if error is None:
        return "unknown error"
    while error.cause is not None:
        error = error.cause
    if error.cls_name == "DagsterDbtCliRuntimeError":
        failed = _dbt_failure(warehouse)
        if failed:
            return failed
    first_line = error.message.strip().splitlines()[0] if error.message.strip() else ""
    # "IOException: _duckdb.IOException: IO Error: ..." says its type once
    for _ in range(2):
        first_line = re.sub(rf"^([\w.]*\.)?{error.cls_name}: ", "", first_line)
    return f"{error.cls_name}: {first_line}"


def _dbt_failure(warehouse: Path) -> str | None:
    """The first dbt node that errored or failed in the last build, with dbt's message;
    for a failed test, its first failing rows (which column, which key)."""
    results = dbt_target_path(warehouse) / "run_results.json"
    try:
        nodes = json.loads(results.read_text())["results"]
    except (OSError, ValueError, KeyError):
        return None
    for node in nodes:
        if node.get("status") in ("error", "fail", "runtime error"):
            name = node["unique_id"].split(".", 2)[-1]
            message = " ".join((node.get("message") or "").split())
            rows = (
                failing_rows(warehouse, node.get("compiled_code"))
                if node["status"] == "fail"
                else ""
            )
            return f"dbt {node['unique_id'].split('.')[0]} {name}: {message[:500]}" + (
                f"; first failing rows: {rows}" if rows else ""
            )
    return None


def failing_rows(warehouse: Path, compiled_sql: str | None, limit: int = 3) -> str:
    """The first rows a failed dbt test returned, read again from the warehouse DuckDB
    file (as `column=value, ...; ...`); empty when they cannot be read (Spark, no file)."""
    import duckdb

    from valuemap.warehouse import connect

    if not compiled_sql or not warehouse.is_file():
        return ""
    try:
        with connect(warehouse, read_only=True) as con:
            cursor = con.execute(f"select * from ({compiled_sql}) limit {limit}")
            names = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
    except duckdb.Error:
        return ""
    # a column with no value in a row (the key of a null count) is left out of it
    return "; ".join(
        ", ".join(f"{n}={v}" for n, v in zip(names, row, strict=True) if v is not None)
        for row in rows
    )


def rejected_files(settings: Settings, since: datetime) -> list[str]:
    """The files this run rejected whole, as 'table/file (reason)'."""
    import duckdb

    from valuemap.bookkeeping import files_rejected_since
    from valuemap.warehouse import connect

    try:
        with connect(settings.warehouse, read_only=True, config=settings.budget) as con:
            return files_rejected_since(con, since)
    except duckdb.Error:
        return []


def cmd_run(args: argparse.Namespace) -> int:
    return run_refresh(_settings(args))


def _settings(args: argparse.Namespace, demo_by_default: bool = False) -> Settings:
    """The settings of a command: the environment's, then its arguments. With
    `demo_by_default` (status, report, ui), when neither names a warehouse and the default
    one does not exist, the demo's (`./dev demo`), saying so."""
    settings = Settings.from_env()
    demo = DEMO_DIR / "warehouse.duckdb"
    if (
        demo_by_default
        and not args.warehouse
        and "VALUEMAP_WAREHOUSE" not in os.environ
        and not settings.warehouse.exists()
        and demo.exists()
    ):
        print(f"(no {settings.warehouse} yet: showing the demo, {demo})", file=sys.stderr)
        settings = settings.with_warehouse(demo)
        if "VALUEMAP_LANDING" not in os.environ:
            settings = replace(settings, landing=DEMO_DIR / "landing")
    if getattr(args, "landing", None):
        settings = replace(settings, landing=Path(args.landing).resolve())
    if args.warehouse:
        warehouse = Path(args.warehouse).resolve()
        settings = replace(settings.with_warehouse(warehouse), published=published_path(warehouse))
    if getattr(args, "engine", None):
        settings = replace(settings, engine=args.engine)
    if args.published:
        settings = replace(settings, published=Path(args.published).resolve())
    return settings


def cmd_status(args: argparse.Namespace) -> int:
    from valuemap.status import print_status

    return print_status(_settings(args, demo_by_default=True))


def cmd_report(args: argparse.Namespace) -> int:
    from valuemap.report import write_report

    settings = _settings(args, demo_by_default=True)
    if not settings.published.exists():
        return fail(f"{settings.published} does not exist; run a refresh first", command="report")
    out = Path(args.out).resolve() if args.out else None
    if out is not None and not out.parent.is_dir():
        return fail(
            f"cannot write {out}: the folder {out.parent} does not exist", EXIT_USAGE, "report"
        )
    try:
        out = write_report(settings.published, out, settings.budget)
    except OSError as error:
        return fail(
            f"cannot write the report: {error.strerror} ({error.filename})", command="report"
        )
    print(f"report written to {out}")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    """`dagster dev` on this project: the web UI (asset graph, runs, checks) and the daemon
    that runs the nightly schedule, with the same settings as `valuemap run`."""
    settings = _settings(args, demo_by_default=True)
    settings.export()
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    # The instance `valuemap run` records to: runs and schedules outlive the UI process.
    os.environ["DAGSTER_HOME"] = str(prepare_dagster_home(settings.dagster_home))
    # The code server re-parses the dbt project with the `dbt` on PATH: make it this one.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

    dagster = Path(sys.executable).with_name("dagster")
    command = [str(dagster), "dev", "-m", "orchestration.definitions"]
    command += ["--host", args.host, "--port", str(args.port)]
    print(f"Dagster UI on http://{args.host}:{args.port} (Ctrl-C stops it)", flush=True)
    os.chdir(PROJECT_ROOT)
    os.execv(command[0], command)  # Dagster owns the process (and Ctrl-C) from here


def cmd_demo(args: argparse.Namespace) -> int:
    """Fresh demo data in data/demo/, then the full refresh on it."""
    if DEMO_DIR.exists():
        shutil.rmtree(DEMO_DIR)
    landing = DEMO_DIR / "landing"
    started = time.perf_counter()
    counts = _generate(landing, args.customers, args.months, args.seed)
    print(
        f"generated demo data: {args.customers:,} customers, {args.months} months,"
        f" {counts['orders/order_lines']:,} order lines in {time.perf_counter() - started:.1f}s"
    )
    warehouse = DEMO_DIR / "warehouse.duckdb"
    settings = replace(
        Settings.from_env().with_warehouse(warehouse),
        landing=landing,
        published=published_path(warehouse),
    )
    if args.engine:
        settings = replace(settings, engine=args.engine)
    return run_refresh(settings)


def _add_scale(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--customers", type=int, default=2000, help="number of customers (default 2000)"
    )
    parser.add_argument("--months", type=int, default=36, help="months of history (default 36)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")


def _add_engine(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        help="where dbt builds the models: duckdb (the warehouse file) or spark (a local"
        " pyspark; README: Running on Spark); default $VALUEMAP_ENGINE or duckdb",
    )


def _add_warehouse(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse",
        help="DuckDB build file (default $VALUEMAP_WAREHOUSE or data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--published",
        help="DuckDB file BI reads (default $VALUEMAP_PUBLISHED or <warehouse>_published.duckdb)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="valuemap",
        description="Which customers create value and which destroy it: cost to serve,"
        " whale curve and segments from CRM, order and cost exports.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write demo landing files (docs/contract.md)")
    generate.add_argument("--out", required=True, help="landing folder to write")
    _add_scale(generate)
    generate.set_defaults(func=cmd_generate)

    run = commands.add_parser(
        "run", help="full refresh: load, dbt build with tests, publish (the Dagster job `refresh`)"
    )
    run.add_argument("--landing", help="landing folder (default $VALUEMAP_LANDING or data/landing)")
    _add_warehouse(run)
    _add_engine(run)
    run.set_defaults(func=cmd_run)

    status = commands.add_parser(
        "status",
        help="last publish, rows per mart, files with rejects, failed checks"
        " (exit 1 when something needs attention)",
    )
    _add_warehouse(status)
    status.set_defaults(func=cmd_status)

    report = commands.add_parser(
        "report", help="write the HTML report of the published marts (works offline)"
    )
    _add_warehouse(report)
    report.add_argument("--out", help="HTML file (default <warehouse>_report.html beside it)")
    report.set_defaults(func=cmd_report)

    ui = commands.add_parser(
        "ui", help="open the Dagster UI on the project (asset graph, runs, checks, schedule)"
    )
    ui.add_argument("--landing", help="landing folder (default $VALUEMAP_LANDING or data/landing)")
    _add_warehouse(ui)
    ui.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ui.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    ui.set_defaults(func=cmd_ui)

    demo = commands.add_parser(
        "demo", help="generate demo data in data/demo/ and run the refresh on it"
    )
    _add_scale(demo)
    _add_engine(demo)
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
