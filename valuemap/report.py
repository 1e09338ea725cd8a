"""`valuemap report`: one self-contained HTML page of the published marts, for people
who want to look rather than query. Charts are inline SVG drawn here, so the page
works offline and needs no chart library; each has a one-line reading aid."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from valuemap.warehouse import connect, report_path

WIDTH, HEIGHT, PAD = 640, 320, 48
COLOURS = ("#1f6f8b", "#e07a2d", "#6a994e", "#9c4f96", "#bc4749", "#767676")


# ---------------------------------------------------------------- drawing


def _scale(values: Sequence[float], low: int, high: int) -> tuple[float, float, object]:
    lo, hi = min(values), max(values)
    if hi == lo:
        hi = lo + 1
    return lo, hi, lambda v: low + (v - lo) * (high - low) / (hi - lo)


def _svg(body: str, title: str, width: int = WIDTH, height: int = HEIGHT) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}"><title>{html.escape(title)}</title>{body}</svg>'
    )


def _axes(x_label: str, y_label: str) -> str:
    return (
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - 10}" y2="{HEIGHT - PAD}" stroke="#333"/>'
        f'<line x1="{PAD}" y1="10" x2="{PAD}" y2="{HEIGHT - PAD}" stroke="#333"/>'
        f'<text x="{WIDTH / 2}" y="{HEIGHT - 10}" text-anchor="middle">{html.escape(x_label)}</text>'
        f'<text x="14" y="{HEIGHT / 2}" transform="rotate(-90 14 {HEIGHT / 2})"'
        f' text-anchor="middle">{html.escape(y_label)}</text>'
    )


def _tick(value: float, x: float | None = None, y: float | None = None) -> str:
    if x is not None:
        return f'<text x="{x:.1f}" y="{HEIGHT - PAD + 16}" text-anchor="middle" font-size="11">{value:,.0f}</text>'
    return f'<text x="{PAD - 4}" y="{y:.1f}" text-anchor="end" font-size="11">{value:,.0f}</text>'


def line_chart(
    points: list[tuple[float, float]],
    title: str,
    x_label: str,
    y_label: str,
    mark: tuple[float, float] | None = None,
) -> str:
    _, _, sx = _scale([p[0] for p in points] + [0, 100], PAD, WIDTH - 10)
    lo, hi, sy = _scale([p[1] for p in points] + [0, 100], HEIGHT - PAD, 10)
    path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
    body = _axes(x_label, y_label)
    body += f'<line x1="{PAD}" y1="{sy(100):.1f}" x2="{WIDTH - 10}" y2="{sy(100):.1f}" stroke="#bbb" stroke-dasharray="4"/>'
    body += f'<polyline fill="none" stroke="{COLOURS[0]}" stroke-width="2" points="{path}"/>'
    body += "".join(_tick(v, y=sy(v) + 4) for v in (lo, 100, hi))
    body += "".join(_tick(v, x=sx(v)) for v in (0, 50, 100))
    if mark:
        body += (
            f'<circle class="peak" cx="{sx(mark[0]):.1f}" cy="{sy(mark[1]):.1f}" r="5" fill="{COLOURS[4]}"/>'
            # below the point when there is no room above it, leftwards past the middle
            f'<text x="{sx(mark[0]) + (-8 if mark[0] > 60 else 8):.1f}"'
            f' y="{sy(mark[1]) + (20 if sy(mark[1]) < 24 else -6):.1f}" font-size="12"'
            f' text-anchor="{"end" if mark[0] > 60 else "start"}">'
            f"peak {mark[1]:.0f}% at {mark[0]:.0f}% of customers</text>"
        )
    return _svg(body, title)


def scatter(
    points: list[tuple[float, float, str]],
    title: str,
    x_label: str,
    y_label: str,
    split: tuple[float, float],
    labels: dict[str, str],
) -> str:
    xs = [p[0] for p in points] + [split[0]]
    ys = [p[1] for p in points] + [split[1]]
    xlo, xhi, sx = _scale(xs, PAD, WIDTH - 10)
    ylo, yhi, sy = _scale(ys, HEIGHT - PAD, 10)
    kinds = sorted(labels)
    body = _axes(x_label, y_label)
    for x, y, kind in points:
        colour = COLOURS[kinds.index(kind) % len(COLOURS)] if kind in kinds else "#999"
        body += f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{colour}" fill-opacity="0.6"/>'
    body += (
        f'<line x1="{sx(split[0]):.1f}" y1="10" x2="{sx(split[0]):.1f}" y2="{HEIGHT - PAD}" stroke="#333" stroke-dasharray="4"/>'
        f'<line x1="{PAD}" y1="{sy(split[1]):.1f}" x2="{WIDTH - 10}" y2="{sy(split[1]):.1f}" stroke="#333" stroke-dasharray="4"/>'
    )
    body += (
        _tick(xlo, x=sx(xlo))
        + _tick(xhi, x=sx(xhi))
        + _tick(ylo, y=sy(ylo))
        + _tick(yhi, y=sy(yhi))
    )
    for i, kind in enumerate(kinds):
        body += (
            f'<rect x="{WIDTH - 170}" y="{14 + 16 * i}" width="10" height="10" fill="{COLOURS[i % len(COLOURS)]}"/>'
            f'<text x="{WIDTH - 155}" y="{23 + 16 * i}" font-size="11">{html.escape(labels[kind])}</text>'
        )
    return _svg(body, title)


def bars(items: list[tuple[str, float]], title: str, unit: str = "%") -> str:
    height = 40 + 34 * len(items)
    top = max([abs(v) for _, v in items] + [100])
    body = ""
    for i, (label, value) in enumerate(items):
        y = 20 + 34 * i
        w = max(1.0, (WIDTH - 260) * abs(value) / top)
        body += (
            f'<text x="150" y="{y + 16}" text-anchor="end">{html.escape(label)}</text>'
            f'<rect class="bar" x="160" y="{y}" width="{w:.1f}" height="22" fill="{COLOURS[i % len(COLOURS)]}"/>'
            f'<text x="{166 + w:.1f}" y="{y + 16}">{value:,.0f}{unit}</text>'
        )
    return _svg(body, title, height=height)


def heat_table(
    rows: list[str],
    columns: list[str],
    values: dict[tuple[str, str], float | None],
    title: str,
    fmt: str = "{:,.0f}",
) -> str:
    present = [v for v in values.values() if v is not None]
    top = max(present) if present else 1
    # room for the longest row label (about 6.5 px per character at font-size 11)
    cell, head = 92, max(60, round(6.5 * max((len(r) for r in rows), default=0)) + 12)
    width, height = head + cell * len(columns) + 10, 30 + 28 * (len(rows) + 1)
    body = "".join(
        f'<text x="{head + cell * j + cell / 2}" y="20" text-anchor="middle" font-size="11">{html.escape(c)}</text>'
        for j, c in enumerate(columns)
    )
    for i, row in enumerate(rows):
        y = 28 + 28 * i
        body += f'<text x="{head - 6}" y="{y + 18}" text-anchor="end" font-size="11">{html.escape(row)}</text>'
        for j, column in enumerate(columns):
            value = values.get((row, column))
            shade = 0 if value is None or top == 0 else max(0.08, value / top)
            text = "" if value is None else fmt.format(value)
            body += (
                f'<rect x="{head + cell * j}" y="{y}" width="{cell - 2}" height="26"'
                f' fill="{COLOURS[0]}" fill-opacity="{shade:.2f}"/>'
                f'<text x="{head + cell * j + cell / 2}" y="{y + 18}" text-anchor="middle" font-size="11">{text}</text>'
            )
    return _svg(body, title, width=width, height=height)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def show(value: object) -> str:
        if isinstance(value, float):
            return f"{value:,.2f}"
        return html.escape(
            "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
        )

    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{show(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ---------------------------------------------------------------- sections


def _sections(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(title, reading aid, chart or table) for every part of the report."""
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    out: list[tuple[str, str, str]] = []

    summary = q(
        "select peak_cumulative_profit_pct, customers_at_peak_pct, loss_customer_count,"
        " loss_customers_net_profit_amount from marts.rpt_profit_curve_summary"
    )
    curve = q(
        "select cumulative_customer_pct, cumulative_profit_pct from marts.fct_profit_curve"
        " where cumulative_profit_pct is not null order by profit_rank"
    )
    if summary and curve:
        peak, at, losers, loss = summary[0]
        step = max(1, len(curve) // 500)
        points = (
            [(0.0, 0.0)]
            + [(float(x), float(y)) for x, y in curve[::step]]
            + [(float(curve[-1][0]), float(curve[-1][1]))]
        )
        out.append(
            (
                "The whale curve",
                f"The most profitable {at:.0f}% of customers earn {peak:.0f}% of total profit;"
                f" {losers:,} loss customers give EUR {abs(float(loss or 0)):,.0f} of it away again.",
                line_chart(
                    points,
                    "cumulative profit",
                    "% of customers, most profitable first",
                    "% of total profit",
                    (float(at), float(peak)),
                ),
            )
        )

    quadrant = q(
        "select gross_margin_pct, cost_to_serve_pct, margin_cost_quadrant,"
        " gross_margin_split_pct, cost_to_serve_split_pct"
        " from marts.fct_customer_profitability_window where revenue_amount > 0"
    )
    if quadrant:
        names = {
            "carriage_trade": "carriage trade",
            "passive": "passive",
            "bargain_basement": "bargain basement",
            "aggressive": "aggressive",
        }
        # clip the long tails so the bulk is visible
        points = [
            (min(max(float(c), -50), 150), min(max(float(m), -50), 100), k)
            for m, c, k, _, _ in quadrant
        ]
        counts = {k: sum(1 for p in quadrant if p[2] == k) for k in names}
        out.append(
            (
                "Margin x cost to serve",
                f"{counts['aggressive']:,} customers buy at low margin and cost much to serve"
                f" (aggressive); {counts['passive']:,} pay well and cost little (passive).",
                scatter(
                    points,
                    "margin x cost to serve",
                    "cost to serve, % of revenue",
                    "gross margin %",
                    (float(quadrant[0][4]), float(quadrant[0][3])),
                    names,
                ),
            )
        )

    shares = dict(q("select measure, top_customers_share_pct from marts.fct_concentration"))
    if shares:
        labels = {
            "net_profit": "net profit",
            "revenue": "revenue",
            "complaints": "complaints",
            "attention": "attention",
        }
        items = [(labels[m], float(shares[m] or 0)) for m in labels if m in shares]
        out.append(
            (
                "The 20/80 rules",
                "20% of customers bring " + ", ".join(f"{v:.0f}% of {k}" for k, v in items) + ".",
                bars(items, "share of the top 20% of customers"),
            )
        )

    pools = q(
        "select pool_id, sum(pool_cost_amount), sum(allocated_amount),"
        " sum(unused_capacity_amount), sum(unallocated_amount), max(abs(difference_amount))"
        " from marts.fct_cost_pool_reconciliation group by pool_id order by pool_id"
    )
    if pools:
        total = sum(float(p[1]) for p in pools)
        allocated = sum(float(p[2]) for p in pools)
        out.append(
            (
                "Where every euro of cost went",
                f"Of EUR {total:,.0f} in cost pools, {100 * allocated / total if total else 0:.0f}% is"
                " charged to the customers who caused it; the rest is unused capacity or unallocated.",
                table(
                    [
                        "pool",
                        "cost",
                        "allocated",
                        "unused capacity",
                        "unallocated",
                        "max difference",
                    ],
                    [(p[0], *(float(v) for v in p[1:])) for p in pools],
                ),
            )
        )

    whitney = q(
        "select whitney_policy_code, customer_class, count(*) from marts.fct_customer_segments group by all"
    )
    if whitney:
        policies = sorted({r[0] for r in whitney})
        classes = ["key_account", "future_key_account", "large", "small", "loss", "unknown"]
        values = {(p, c): float(n) for p, c, n in whitney}
        key = sum(n for _, c, n in whitney if c == "key_account")
        out.append(
            (
                "Whitney policy x customer class",
                f"{key:,} key accounts; each row is what Whitney's qualification says to do.",
                heat_table(
                    policies,
                    [c.replace("_", " ") for c in classes],
                    {(p, c.replace("_", " ")): v for (p, c), v in values.items()},
                    "Whitney x class",
                ),
            )
        )

    kraljic = q(
        "select kraljic_quadrant, any_value(stewart_response), any_value(rackham_buying_strategy),"
        " any_value(rackham_selling_strategy), any_value(holden_buying_pattern), count(*)"
        " from marts.fct_customer_segments group by 1 order by 1"
    )
    if kraljic:
        out.append(
            (
                "Kraljic from the customer's side, with the matching models",
                "Partner and bottleneck customers call for tailor-made work; routine and leverage"
                " for hard selling at low margins.",
                table(
                    [
                        "Kraljic",
                        "Stewart",
                        "Rackham buying",
                        "Rackham selling",
                        "Holden",
                        "customers",
                    ],
                    kraljic,
                ),
            )
        )

    loyalty = q("select loyalty_category, count(*) from marts.fct_customer_loyalty group by 1")
    if loyalty:
        order = ["apostle", "loyalist", "mercenary", "hostage", "terrorist", "unknown"]
        counts = dict(loyalty)
        items = [(c, float(counts.get(c, 0))) for c in order]
        out.append(
            (
                "Satisfaction x loyalty",
                f"{counts.get('apostle', 0):,} apostles speak for you; {counts.get('terrorist', 0):,}"
                " terrorists against you.",
                bars(items, "customers per loyalty category", unit=""),
            )
        )

    slide = q(
        "select price_increase_pct, net_margin_pct, profit_increase_pct from marts.rpt_price_insensitivity_table"
    )
    if slide:
        rows = sorted({str(r[0]) for r in slide}, key=float)
        values = {(str(p), f"margin {m}%"): float(v) for p, m, v in slide}
        out.append(
            (
                "Price insensitivity (slide 127)",
                "At a 4% net margin, a 2% higher price at the same volume raises net profit by 50%.",
                heat_table(
                    [f"{r}" for r in rows],
                    [f"margin {r}%" for r in rows],
                    values,
                    "profit increase % by price increase (rows) and net margin",
                    fmt="{:,.2f}",
                ),
            )
        )

    cohorts = q(
        "select year(acquisition_year_date), tenure_year, retention_pct from marts.fct_cohort_retention"
    )
    if cohorts:
        years = sorted({str(r[0]) for r in cohorts})
        tenure = sorted({r[1] for r in cohorts})
        values = {(str(y), f"year {t}"): float(v) for y, t, v in cohorts}
        second = [float(v) for _, t, v in cohorts if t == 2]
        out.append(
            (
                "Cohort retention",
                (
                    f"Of a cohort, {sum(second) / len(second):.0f}% still buy in their second year."
                    if second
                    else "No cohort has finished its second year yet."
                ),
                heat_table(
                    years,
                    [f"year {t}" for t in tenure],
                    values,
                    "retention % per cohort",
                    fmt="{:.0f}%",
                ),
            )
        )

    migration = q(
        "select migration_type, count(*) from marts.fct_segment_migration group by 1 order by 1"
    )
    if migration:
        moved = sum(n for t, n in migration if t in ("class_changed", "loyalty_changed"))
        out.append(
            (
                "Segment migration since the previous run",
                f"{moved:,} customers changed class or loyalty category since the previous run.",
                table(["movement", "customers"], migration),
            )
        )
    return out


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 900px; color: #222; }
h1 { margin-bottom: 0; } section { margin: 2rem 0; } p.aid { font-size: 1.1rem; color: #444; }
table { border-collapse: collapse; font-size: 0.9rem; } td, th { border: 1px solid #ccc; padding: 4px 8px; }
td { text-align: right; } td:first-child { text-align: left; }
"""


def build_report(published: Path, config: Mapping[str, str | int] | None = None) -> str:
    with connect(published, read_only=True, config=config) as con:
        sections = _sections(con)
        window = con.execute(
            "select analysis_start_date, analysis_end_date from marts.rpt_profit_curve_summary"
        ).fetchall()
    period = f"{window[0][0]} to {window[0][1]}" if window else ""
    parts = "".join(
        f'<section><h2>{html.escape(title)}</h2><p class="aid">{html.escape(aid)}</p>{content}</section>'
        for title, aid, content in sections
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>valuemap report</title><style>{STYLE}</style></head><body>"
        f"<h1>Which customers create value</h1><p>Analysis window {period}.</p>{parts}</body></html>"
    )


def write_report(
    published: Path, out: Path | None = None, config: Mapping[str, str | int] | None = None
) -> Path:
    out = out or report_path(published)
    temporary = out.with_name(out.name + ".tmp")
    temporary.write_text(build_report(published, config), encoding="utf-8")
    temporary.replace(out)
    return out
