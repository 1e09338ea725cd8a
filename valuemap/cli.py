"""The `valuemap` command: generate demo data, run the refresh, or both (`demo`)."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from valuemap.settings import ENGINES, PROJECT_ROOT, Settings, published_path

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


def run_refresh(settings: Settings) -> int:
    """Run the Dagster job `refresh` in this process; print a summary or a one-line reason."""
    started = time.perf_counter()
    started_at = datetime.now()  # local time, as DuckDB's current_timestamp in the load log
    settings.export()
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if not settings.landing.is_dir():
        print(
            f"valuemap run failed: landing folder {settings.landing} does not exist",
            file=sys.stderr,
        )
        return 2
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)

    from dagster import AssetCheckSeverity, DagsterEventType, DagsterInstance

    from orchestration.definitions import defs

    setup_seconds = time.perf_counter() - started
    log_path = settings.warehouse.parent / "logs" / "refresh.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    # dbt's own output goes to the run log; the console shows warnings and the summary.
    with DagsterInstance.ephemeral() as instance, log_path.open("w") as log_file:
        with contextlib.redirect_stdout(log_file):
            result = defs.resolve_job_def("refresh").execute_in_process(
                run_config=quiet, instance=instance, raise_on_error=False
            )
        records = instance.all_logs(result.run_id)
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
            error = event.step_failure_data.error
            message = error.message.strip().splitlines()[0] if error else "unknown error"
            # a failed check says more than the exception that reports it
            message = failed_checks.get(event.step_key, message)
            failure = f"step {event.step_key} failed: {message} (log: {log_path})"
    if not result.success:
        print(f"valuemap run failed: {failure or 'see the Dagster event log'}", file=sys.stderr)
        return 1

    from valuemap.summary import print_summary

    timings = {"setup": setup_seconds, **step_seconds}
    print_summary(settings, timings, time.perf_counter() - started, started_at)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    return run_refresh(_settings(args))


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
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

    return print_status(_settings(args))


def cmd_report(args: argparse.Namespace) -> int:
    from valuemap.report import write_report

    settings = _settings(args)
    if not settings.published.exists():
        print(
            f"valuemap report failed: {settings.published} does not exist; run a refresh first",
            file=sys.stderr,
        )
        return 1
    out = write_report(settings.published, Path(args.out).resolve() if args.out else None)
    print(f"report written to {out}")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    """`dagster dev` on this project: the web UI (asset graph, runs, checks) and the daemon
    that runs the nightly schedule, with the same settings as `valuemap run`."""
    settings = _settings(args)
    settings.export()
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    # Runs and schedules are kept beside the warehouse, so they outlive the UI process.
    dagster_home = settings.warehouse.parent / "dagster_home"
    dagster_home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DAGSTER_HOME", str(dagster_home))
    instance_config = Path(os.environ["DAGSTER_HOME"]) / "dagster.yaml"
    if not instance_config.exists():
        instance_config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
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
