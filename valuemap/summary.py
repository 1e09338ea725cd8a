"""The short summary a run prints: what was loaded, what was rejected, the headline figures."""

from __future__ import annotations

from datetime import datetime

from valuemap.bookkeeping import load_counts_since, problem_files
from valuemap.contract import TABLES
from valuemap.held import held_lines, held_summary
from valuemap.settings import Settings
from valuemap.warehouse import connect, docs_path, parquet_link, report_path

MAX_PROBLEM_FILES = 10
CONCENTRATION = ("net_profit", "revenue", "complaints", "attention")
CLASSES = ("key_account", "future_key_account", "large", "small", "loss", "unknown")
LOYALTY_CATEGORIES = ("apostle", "loyalist", "mercenary", "hostage", "terrorist", "unknown")


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0f}%"


def _money(amount: float | None) -> str:
    return "n/a" if amount is None else f"EUR {amount:,.0f}"


def print_summary(
    settings: Settings,
    step_seconds: dict[str, float],
    total_seconds: float,
    started_at: datetime | None = None,
) -> None:
    with connect(settings.warehouse, read_only=True, config=settings.budget) as con:
        # the files of this run that had problems, with the first of them
        problems = problem_files(con, started_at)
        loads = load_counts_since(con, started_at)  # this run's files, not every night's
        held = held_summary(con, settings.held_attention_days)
        empty = [
            table.path
            for table in TABLES
            if not con.execute(f"select exists (from raw.{table.raw_name})").fetchone()[0]
        ]
    with connect(settings.published, read_only=True, config=settings.budget) as con:
        window = con.execute(
            "select count(*), sum(revenue_amount), sum(net_profit_amount)"
            " from marts.fct_customer_profitability_window"
        ).fetchone()
        shares = dict(
            con.execute(
                "select measure, top_customers_share_pct from marts.fct_concentration"
            ).fetchall()
        )
        classes = dict(
            con.execute(
                "select customer_class, count(*) from marts.fct_customer_segments group by 1"
            ).fetchall()
        )
        loyalty = dict(
            con.execute(
                "select loyalty_category, count(*) from marts.fct_customer_loyalty group by 1"
            ).fetchall()
        )
        curve = con.execute(
            "select analysis_start_date, analysis_end_date, peak_cumulative_profit_pct,"
            " customers_at_peak_pct, loss_customer_count, loss_customers_net_profit_amount"
            " from marts.rpt_profit_curve_summary"
        ).fetchone()
    start, end, peak, at_peak, losers, loss = curve if curve else (None,) * 6
    timings = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in step_seconds.items())
    print(f"valuemap refresh done in {total_seconds:.1f}s ({timings})")
    print(
        f"  files loaded          {loads[0]} ({loads[1]} rejected whole); rows loaded {loads[2]:,}, rows rejected {loads[3]:,} (raw._rejects)"
    )
    for _, problem in problems[:MAX_PROBLEM_FILES]:
        print(f"    {problem}")
    if len(problems) > MAX_PROBLEM_FILES:
        print(f"    ... and {len(problems) - MAX_PROBLEM_FILES} more file(s); see raw._load_log")
    print(
        f"  rows held             {sum(row[1] for row in held):,} waiting (quality.held_rows);"
        f" {loads[4]:,} held and {loads[5]:,} released by this run"
    )
    for line in held_lines(held, settings.held_attention_days):
        print(f"    {line}")
    if empty:
        print(
            f"  missing               no rows yet in {', '.join(empty)}:"
            " the marts that need them are empty until they arrive"
        )
    if start is None:
        print("  analysis window       none yet: no completed orders")
    else:
        print(f"  analysis window       {start} .. {end}")
    print(f"  customers             {window[0]:,}")
    print(f"  revenue               {_money(window[1])}")
    print(f"  net profit            {_money(window[2])}")
    if peak is not None:
        print(
            f"  whale curve peak      {peak:.0f}% of total profit, at {at_peak:.0f}% of customers"
        )
    print(f"  loss customers        {losers or 0:,} losing {_money(-(loss or 0))}")
    print(
        "  top 20% of customers  bring "
        + ", ".join(f"{_pct(shares.get(m))} of {m.replace('_', ' ')}" for m in CONCENTRATION)
    )
    print(
        "  classes               "
        + ", ".join(f"{classes.get(c, 0):,} {c.replace('_', ' ')}" for c in CLASSES)
    )
    print(
        "  loyalty               "
        + ", ".join(f"{loyalty.get(c, 0):,} {c}" for c in LOYALTY_CATEGORIES)
    )
    print(f"  warehouse (build)     {settings.warehouse}")
    if settings.engine == "spark":
        print(f"  engine                spark (tables in {settings.spark_dir / 'warehouse'})")
    else:
        print("  engine                duckdb")
    print(f"  published (BI reads)  {settings.published}  schemas marts, quality")
    print(f"  parquet copies        {parquet_link(settings.published)}/<mart>.parquet")
    print(f"  report                {report_path(settings.published)}")
    print(f"  dbt docs              {docs_path(settings.published) / 'index.html'}")
