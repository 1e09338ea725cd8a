"""`valuemap report`: one self-contained HTML page of the published marts, for people
who want to look rather than query. Charts are inline SVG drawn here, so the page
works offline and needs no chart library; each has a one-line reading aid."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime
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
    loss_from: float | None = None,
) -> str:
    """`loss_from`: the share of customers from which on they lose money, shaded."""
    _, _, sx = _scale([p[0] for p in points] + [0, 100], PAD, WIDTH - 10)
    lo, hi, sy = _scale([p[1] for p in points] + [0, 100], HEIGHT - PAD, 10)
    path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
    body = ""
    if loss_from is not None:
        left = sx(loss_from)
        body += (
            f'<rect class="loss-region" x="{left:.1f}" y="10" width="{sx(100) - left:.1f}"'
            f' height="{HEIGHT - PAD - 10}" fill="{COLOURS[4]}" fill-opacity="0.12"/>'
            f'<text x="{(left + sx(100)) / 2:.1f}" y="{HEIGHT - PAD - 8}" text-anchor="middle"'
            f' font-size="11" fill="{COLOURS[4]}">loss customers</text>'
        )
    body += _axes(x_label, y_label)
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
    points: list[tuple[float, float, str, bool]],
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
    for x, y, kind, inside in points:  # a point beyond the axes, on the edge: hollow
        colour = COLOURS[kinds.index(kind) % len(COLOURS)] if kind in kinds else "#999"
        fill = f'fill="{colour}" fill-opacity="0.6"' if inside else f'fill="none" stroke="{colour}"'
        body += f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" {fill}/>'
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

    def cell(value: object) -> str:  # words to the left, figures to the right
        words = isinstance(value, str) and not value.startswith(("EUR", "+", "-", "n/a"))
        return f'<td class="text">{show(value)}</td>' if words else f"<td>{show(value)}</td>"

    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ---------------------------------------------------------------- sections


def label(code: object) -> str:
    """A category's code as words: stop_investing -> stop investing."""
    return "unknown" if code is None else str(code).replace("_", " ")


def _money(amount: object) -> str:
    return "n/a" if amount is None else f"EUR {float(amount):,.0f}"


def _change(now: object, before: object) -> str:
    if now is None or before is None or float(before) == 0:
        return "n/a"
    return f"{100 * (float(now) - float(before)) / abs(float(before)):+,.0f}%"


Section = tuple[str, str, str]  # (title, reading aid, chart or table: "" when not drawn)


def _not_drawn(title: str, why: str) -> Section:
    return (title, f"Not drawn: {why}.", "")


def _headline(q) -> Section:
    title = "At a glance"
    rows = q(
        "with w as (select analysis_start_date as s, analysis_end_date as e,"
        " date_diff('month', analysis_start_date, analysis_end_date + 1) as n"
        " from marts.rpt_profit_curve_summary),"
        " m as (select p.*, p.month_start_date between w.s and w.e as now,"
        " p.month_start_date >= w.s - to_months(w.n) and p.month_start_date < w.s as before"
        " from marts.fct_customer_profitability as p, w)"
        " select n,"
        + ", ".join(
            f"sum({c}) filter (where now), sum({c}) filter (where before)"
            for c in (
                "revenue_amount",
                "gross_margin_amount",
                "cost_to_serve_amount",
                "net_profit_amount",
            )
        )
        + ", count(distinct customer_id) filter (where now and revenue_amount <> 0),"
        " count(distinct customer_id) filter (where before and revenue_amount <> 0),"
        " count(distinct month_start_date) filter (where before)"
        " from m, w group by n"
    )
    if not rows:
        return _not_drawn(title, "no completed orders yet, so no analysis window")
    n, *figures, months_before = rows[0]
    names = ["revenue", "gross margin", "cost to serve", "net profit"]
    body = [
        (
            name,
            _money(figures[2 * k]),
            _money(figures[2 * k + 1]),
            _change(figures[2 * k], figures[2 * k + 1]),
        )
        for k, name in enumerate(names)
    ]
    body.append(("customers who bought", figures[8], figures[9], _change(figures[8], figures[9])))
    revenue, net = figures[0], figures[6]
    margin = f"{100 * float(net) / float(revenue):.1f}%" if revenue else "n/a"
    complete = "" if months_before == n else f" (only {months_before} of its {n} months have data)"
    return (
        title,
        f"Over the last {n} months the customers brought {_money(revenue)} of revenue and"
        f" {_money(net)} of net profit after cost to serve (net margin {margin}); the"
        f" previous {n} months for comparison{complete}.",
        table(["", "this window", "previous window", "change"], body),
    )


def _act_on(q) -> Section:
    title = "Customers to act on"
    losers = q(
        "select p.customer_name, a.account_manager, a.customer_class, p.revenue_amount,"
        " p.cost_to_serve_amount, p.net_profit_amount, a.action"
        " from marts.fct_customer_profitability_window as p"
        " join marts.fct_customer_actions as a using (customer_id)"
        " where p.net_profit_amount < 0 order by p.net_profit_amount, p.customer_id limit 10"
    )
    suckers = q(
        "select v.customer_name, a.account_manager, v.attention_minutes, v.net_profit_amount,"
        " a.action from marts.fct_attention_vs_profit as v"
        " join marts.fct_customer_actions as a using (customer_id)"
        " where v.is_energy_sucker order by v.attention_minutes desc, v.customer_id limit 10"
    )
    counts = q(
        "select count(*) filter (where net_profit_amount < 0), sum(net_profit_amount)"
        " filter (where net_profit_amount < 0) from marts.fct_customer_profitability_window"
    )
    if not losers and not suckers:
        return _not_drawn(
            title, "no customer loses money and none takes much attention for little profit"
        )
    loss_count, loss_total = counts[0]
    parts = ""
    if losers:
        parts += "<h3>The largest loss customers</h3>" + table(
            [
                "customer",
                "account manager",
                "class",
                "revenue",
                "cost to serve",
                "net profit",
                "recommended action",
            ],
            [
                (n, m or "none", label(c), _money(r), _money(cts), _money(np_), act)
                for n, m, c, r, cts, np_, act in losers
            ],
        )
    if suckers:
        parts += "<h3>Energy suckers: much attention, little profit</h3>" + table(
            [
                "customer",
                "account manager",
                "attention (minutes)",
                "net profit",
                "recommended action",
            ],
            [(n, m or "none", int(mins), _money(np_), act) for n, m, mins, np_, act in suckers],
        )
    return (
        title,
        f"{loss_count:,} customers lose {_money(abs(float(loss_total or 0)))} together; the"
        " largest losses and the energy suckers first, each with who is to act and what to do.",
        parts,
    )


def _what_if(q) -> Section:
    title = "What if we act"
    rows = q(
        "select scenario_name, selected_customer_count, revenue_after_amount - revenue_before_amount,"
        " freed_minutes, conventional_cost_respread_amount, net_effect_as_is_amount,"
        " net_effect_capacity_reduced_amount, loss_customer_count_after,"
        " peak_cumulative_profit_pct_after from marts.rpt_action_scenarios"
        " order by net_effect_capacity_reduced_amount desc, scenario_code"
    )
    if not rows:
        return _not_drawn(title, "no action scenarios (seed action_scenarios) or no customers")

    def signed(amount: object) -> str:
        return "n/a" if amount is None else f"{float(amount):+,.0f}"

    def profit(amount: object) -> str:
        return f"{'-' if float(amount) < 0 else '+'}{_money(abs(float(amount)))}"

    best = rows[0]
    return (
        title,
        f"{best[0]}: profit {profit(best[6])} over the window once the freed capacity is cut,"
        f" {profit(best[5])} as is. As is, the freed minutes stay paid for as unused"
        " capacity; only cutting the capacity saves them.",
        table(
            [
                "scenario",
                "customers",
                "revenue change (EUR)",
                "minutes freed",
                "re-spread to others (EUR)",
                "profit as is (EUR)",
                "profit, capacity cut (EUR)",
                "loss customers after",
                "whale peak after",
            ],
            [
                (
                    name,
                    int(n),
                    signed(revenue),
                    signed(minutes),
                    signed(respread),
                    signed(as_is),
                    signed(cut),
                    int(losses),
                    "n/a" if peak is None else f"{float(peak):.0f}%",
                )
                for name, n, revenue, minutes, respread, as_is, cut, losses, peak in rows
            ],
        ),
    )


def _sections(con: duckdb.DuckDBPyConnection) -> list[Section]:
    """(title, reading aid, chart or table) for every part of the report; a part without
    the data to draw it says why."""
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    out: list[Section] = [_headline(q), _act_on(q)]

    title = "The whale curve"
    summary = q(
        "select peak_cumulative_profit_pct, customers_at_peak_pct, loss_customer_count,"
        " loss_customers_net_profit_amount from marts.rpt_profit_curve_summary"
    )
    curve = q(
        "select cumulative_customer_pct, cumulative_profit_pct from marts.fct_profit_curve"
        " where cumulative_profit_pct is not null order by profit_rank"
    )
    if summary and curve and summary[0][0] is not None:
        peak, at, losers, loss = summary[0]
        step = max(1, len(curve) // 500)
        points = (
            [(0.0, 0.0)]
            + [(float(x), float(y)) for x, y in curve[::step]]
            + [(float(curve[-1][0]), float(curve[-1][1]))]
        )
        out.append(
            (
                title,
                f"The most profitable {at:.0f}% of customers earn {peak:.0f}% of total profit;"
                f" {losers:,} loss customers (shaded) give {_money(abs(float(loss or 0)))} of it away again.",
                line_chart(
                    points,
                    "cumulative profit",
                    "% of customers, most profitable first",
                    "% of total profit",
                    (float(at), float(peak)),
                    loss_from=float(at) if losers else None,
                ),
            )
        )
    else:
        out.append(
            _not_drawn(
                title,
                "total net profit is zero or there are no customers, so there is no curve of its shares",
            )
        )

    title = "Margin x cost to serve"
    quadrant = q(
        "select gross_margin_pct, cost_to_serve_pct, margin_cost_quadrant,"
        " gross_margin_split_pct, cost_to_serve_split_pct"
        " from marts.fct_customer_profitability_window where revenue_amount > 0"
    )
    (without_revenue,) = q(
        "select count(*) from marts.fct_customer_profitability_window where not revenue_amount > 0"
    )[0]
    if quadrant:
        names = {
            k: label(k) for k in ("carriage_trade", "passive", "bargain_basement", "aggressive")
        }
        # The bulk of the customers lies within these bounds; the few beyond are drawn on
        # the edge, as hollow points, and counted in the reading aid.
        (x_lo, x_hi), (y_lo, y_hi) = (-50.0, 150.0), (-50.0, 100.0)
        points, clipped = [], 0
        for m, c, k, _, _ in quadrant:
            x, y = float(c), float(m)
            inside = x_lo <= x <= x_hi and y_lo <= y <= y_hi
            clipped += not inside
            points.append((min(max(x, x_lo), x_hi), min(max(y, y_lo), y_hi), k, inside))
        counts = {k: sum(1 for p in quadrant if p[2] == k) for k in names}
        notes = []
        if clipped:
            notes.append(
                f"{clipped:,} customers lie beyond the axes (cost to serve over {x_hi:.0f}% or"
                f" margin outside {y_lo:.0f}..{y_hi:.0f}%) and are drawn hollow on the edge"
            )
        if without_revenue:
            notes.append(
                f"{without_revenue:,} customers without revenue in the window are not shown"
            )
        out.append(
            (
                title,
                f"{counts['aggressive']:,} customers buy at low margin and cost much to serve"
                f" (aggressive); {counts['passive']:,} pay well and cost little (passive)."
                + "".join(f" {note[0].upper()}{note[1:]}." for note in notes),
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
    else:
        out.append(_not_drawn(title, "no customer has revenue in the analysis window"))

    title = "The 20/80 rules"
    shares = dict(q("select measure, top_customers_share_pct from marts.fct_concentration"))
    measures = {
        "net_profit": "net profit",
        "revenue": "revenue",
        "complaints": "complaints",
        "attention": "attention",
    }
    items = [(measures[m], float(shares[m])) for m in measures if shares.get(m) is not None]
    if items:
        missing = [measures[m] for m in measures if shares.get(m) is None]
        out.append(
            (
                title,
                "20% of customers bring "
                + ", ".join(f"{v:.0f}% of {k}" for k, v in items)
                + "."
                + (f" Not drawn: {', '.join(missing)} (a total of zero)." if missing else ""),
                bars(items, "share of the top 20% of customers"),
            )
        )
    else:
        out.append(_not_drawn(title, "every measure totals zero"))

    title = "Where every euro of cost went"
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
                title,
                f"Of {_money(total)} in cost pools, {100 * allocated / total if total else 0:.0f}% is"
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
    else:
        out.append(_not_drawn(title, "no cost pools were delivered (costs/resource_pools)"))

    title = "Whitney policy x customer class"
    whitney = q(
        "select whitney_policy, customer_class, count(*) from marts.fct_customer_segments group by all"
    )
    if whitney:
        policies = sorted({r[0] for r in whitney})
        classes = ["key_account", "future_key_account", "large", "small", "loss", "unknown"]
        values = {(p, label(c)): float(n) for p, c, n in whitney}
        key = sum(n for _, c, n in whitney if c == "key_account")
        out.append(
            (
                title,
                f"{key:,} key accounts; each row is what Whitney's qualification says to do.",
                heat_table(policies, [label(c) for c in classes], values, "Whitney x class"),
            )
        )
    else:
        out.append(_not_drawn(title, "no customers"))

    title = "Kraljic from the customer's side, with the matching models"
    kraljic = q(
        "select kraljic_quadrant, any_value(stewart_response), any_value(rackham_buying_strategy),"
        " any_value(rackham_selling_strategy), any_value(holden_buying_pattern), count(*)"
        " from marts.fct_customer_segments group by 1 order by 1"
    )
    if kraljic:
        out.append(
            (
                title,
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
                    [(*(label(v) for v in row[:5]), row[5]) for row in kraljic],
                ),
            )
        )
    else:
        out.append(_not_drawn(title, "no customers"))

    title = "Satisfaction x loyalty"
    loyalty = q("select loyalty_category, count(*) from marts.fct_customer_loyalty group by 1")
    if loyalty:
        order = ["apostle", "loyalist", "mercenary", "hostage", "terrorist", "unknown"]
        counts = dict(loyalty)
        items = [(c, float(counts.get(c, 0))) for c in order]
        out.append(
            (
                title,
                f"{counts.get('apostle', 0):,} apostles speak for you; {counts.get('terrorist', 0):,}"
                " terrorists against you.",
                bars(items, "customers per loyalty category", unit=""),
            )
        )
    else:
        out.append(_not_drawn(title, "no customer has bought yet"))

    title = "Price insensitivity (slide 127)"
    slide = q(
        "select price_increase_pct, net_margin_pct, profit_increase_pct from marts.rpt_price_insensitivity_table"
    )
    if slide:
        rows = sorted({str(r[0]) for r in slide}, key=float)
        values = {(str(p), f"margin {m}%"): float(v) for p, m, v in slide}
        out.append(
            (
                title,
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
    else:
        out.append(_not_drawn(title, "no price scenarios (seed price_scenarios)"))

    out.append(_what_if(q))

    title = "Cohort retention"
    cohorts = q(
        "select year(acquisition_year_date), tenure_year, retention_pct,"
        " max(cohort_customer_count) over (partition by acquisition_year_date)"
        " from marts.fct_cohort_retention"
    )
    if cohorts:
        sizes = {str(y): n for y, _, _, n in cohorts}
        years = sorted(sizes)
        tenure = sorted({r[1] for r in cohorts})
        row_label = {y: f"{y} ({sizes[y]:,} customers)" for y in years}
        values = {(row_label[str(y)], f"year {t}"): float(v) for y, t, v, _ in cohorts}
        second = [float(v) for _, t, v, _ in cohorts if t == 2]
        out.append(
            (
                title,
                (
                    f"Of a cohort, {sum(second) / len(second):.0f}% still buy in their second year."
                    if second
                    else "No cohort has finished its second year yet."
                )
                + " Each row is the year customers first bought, with how many they were.",
                heat_table(
                    [row_label[y] for y in years],
                    [f"year {t}" for t in tenure],
                    values,
                    "retention % per cohort",
                    fmt="{:.0f}%",
                ),
            )
        )
    else:
        out.append(_not_drawn(title, "no customer acquired inside the data has a whole year yet"))

    title = "Segment migration since the previous run"
    migration = q(
        "select migration_type, count(*) from marts.fct_segment_migration group by 1 order by 1"
    )
    if migration:
        moved = sum(n for t, n in migration if t in ("class_changed", "loyalty_changed"))
        out.append(
            (
                title,
                f"{moved:,} customers changed class or loyalty category since the previous run.",
                table(["movement", "customers"], [(label(t), n) for t, n in migration]),
            )
        )
    else:
        out.append(
            _not_drawn(title, "this is the first run: there is no previous one to compare with")
        )
    return out


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 900px; color: #222; }
h1 { margin-bottom: 0; } section { margin: 2rem 0; } p.aid { font-size: 1.1rem; color: #444; }
table { border-collapse: collapse; font-size: 0.9rem; } td, th { border: 1px solid #ccc; padding: 4px 8px; }
td { text-align: right; } td:first-child, td.text { text-align: left; }
p.meta { color: #666; } h3 { font-size: 1rem; margin: 1.2rem 0 0.4rem; }
td { white-space: nowrap; } td.text { white-space: normal; } svg { max-width: 100%; height: auto; }
"""


def build_report(published: Path, config: Mapping[str, str | int] | None = None) -> str:
    with connect(published, read_only=True, config=config) as con:
        sections = _sections(con)
        window = con.execute(
            "select analysis_start_date, analysis_end_date from marts.rpt_profit_curve_summary"
        ).fetchall()
    period = (
        f"Analysis window {window[0][0]} to {window[0][1]}" if window else "No analysis window yet"
    )
    parts = "".join(
        f'<section><h2>{html.escape(title)}</h2><p class="aid">{html.escape(aid)}</p>{content}</section>'
        for title, aid, content in sections
    )
    generated = datetime.now().strftime("%Y-%m-%d %H:%M")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>valuemap report</title><style>{STYLE}</style></head><body>"
        f'<h1>Which customers create value</h1><p class="meta">{period}. Generated'
        f" {generated} from {html.escape(published.name)}.</p>{parts}</body></html>"
    )


def write_report(
    published: Path, out: Path | None = None, config: Mapping[str, str | int] | None = None
) -> Path:
    out = out or report_path(published)
    temporary = out.with_name(out.name + ".tmp")
    temporary.write_text(build_report(published, config), encoding="utf-8")
    temporary.replace(out)
    return out
