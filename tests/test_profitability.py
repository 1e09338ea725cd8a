"""docs/domain.md §1 and the whale curve of section 2, on the hand-computed fixture
(tests/fixtures/tiny_landing.py shows every number's derivation)."""

from __future__ import annotations

import pytest

from tests.conftest import by_key

pytestmark = pytest.mark.slow


def test_revenue_is_net_of_returns_and_ignores_cancelled_orders(tiny_run):
    rows = by_key(
        tiny_run.query(
            "select customer_id, revenue_amount, cogs_amount, gross_margin_amount"
            " from marts.fct_customer_profitability_window order by customer_id"
        )
    )
    assert rows == {"C1": (2100, 1180, 920), "C2": (450, 200, 250), "C3": (300, 180, 120)}


def test_customer_without_activity_is_not_in_the_window_marts(tiny_run):
    assert tiny_run.query(
        "select count(*) from marts.fct_customer_profitability_window where customer_id = 'C4'"
    ) == [(0,)]


def test_cost_to_serve_per_customer(tiny_run):
    rows = by_key(
        tiny_run.query(
            "select customer_id, round(sum(allocated_amount), 6) from marts.fct_cost_to_serve"
            " group by customer_id order by customer_id"
        )
    )
    assert rows == {"C1": (554,), "C2": (339,), "C3": (194,)}


def test_time_driven_pool_charges_used_minutes_and_reports_unused_capacity(tiny_run):
    charged = by_key(
        tiny_run.query(
            "select customer_id || '/' || cost_activity_id, allocated_amount, unit_minutes,"
            " capacity_cost_rate_per_minute from marts.fct_cost_to_serve where pool_id = 'P_CS'"
        )
    )
    assert charged == {
        "C1/A_ORDER": (100, 50, 1),
        "C2/A_ORDER": (50, 50, 1),
        "C3/A_ORDER": (50, 50, 1),
        "C2/A_VISIT": (100, 100, 1),
        "C3/A_CALL": (30, 1, 1),
        "C2/A_COMPLAINT": (45, 1, 1),
    }
    unused = tiny_run.query(
        "select unused_capacity_amount, allocated_amount from marts.fct_cost_pool_reconciliation"
        " where pool_id = 'P_CS' and line_type = 'unused_capacity'"
    )
    assert unused == [(625, 0)]


def test_conventional_pool_is_split_by_pool_share(tiny_run):
    rows = by_key(
        tiny_run.query(
            "select customer_id || '/' || cost_activity_id, allocated_amount, cost_rate_per_driver_unit"
            " from marts.fct_cost_to_serve where pool_id = 'P_WH'"
        )
    )
    assert rows == {
        "C1/A_PICK": (180, 60),
        "C2/A_PICK": (60, 60),
        "C3/A_PICK": (60, 60),
        "C1/A_SHIP": (60, 30),
        "C2/A_SHIP": (60, 30),
        "C3/A_SHIP": (30, 30),
        "C1/A_RUSH": (150, 150),
    }


def test_reconciliation_accounts_for_every_euro_of_every_pool(tiny_run):
    lines = tiny_run.query(
        "select pool_id, line_type, coalesce(cost_activity_id, '-'), pool_cost_amount,"
        " allocated_amount, unused_capacity_amount, unallocated_amount, difference_amount"
        " from marts.fct_cost_pool_reconciliation order by all"
    )
    assert lines == [
        ("P_ADMIN", "activity", "A_ACCOUNT", 72, 72, 0, 0, 0),
        ("P_ADMIN", "unassigned", "-", 18, 0, 0, 18, 0),
        ("P_CS", "activity", "A_CALL", 30, 30, 0, 0, 0),
        ("P_CS", "activity", "A_COMPLAINT", 45, 45, 0, 0, 0),
        ("P_CS", "activity", "A_ORDER", 200, 200, 0, 0, 0),
        ("P_CS", "activity", "A_VISIT", 100, 100, 0, 0, 0),
        ("P_CS", "unused_capacity", "-", 625, 0, 625, 0, 0),
        ("P_EMPTY", "unassigned", "-", 70, 0, 0, 70, 0),
        ("P_FAC", "activity", "A_FACILITY", 500, 0, 0, 500, 0),
        ("P_RET", "activity", "A_RETURN", 40, 40, 0, 0, 0),
        ("P_WH", "activity", "A_PICK", 300, 300, 0, 0, 0),
        ("P_WH", "activity", "A_RUSH", 150, 150, 0, 0, 0),
        ("P_WH", "activity", "A_SHIP", 150, 150, 0, 0, 0),
    ]
    pools = by_key(
        tiny_run.query(
            "select pool_id, sum(allocated_amount + unused_capacity_amount + unallocated_amount)"
            " from marts.fct_cost_pool_reconciliation group by pool_id"
        )
    )
    assert pools == {
        "P_CS": (1000,),
        "P_WH": (600,),
        "P_ADMIN": (90,),
        "P_RET": (40,),
        "P_FAC": (500,),
        "P_EMPTY": (70,),
    }


def test_net_profit_and_margin_cost_quadrants(tiny_run):
    rows = by_key(
        tiny_run.query(
            "select customer_id, net_profit_amount, round(net_margin_pct, 2), margin_cost_quadrant,"
            " round(gross_margin_split_pct, 2), round(cost_to_serve_split_pct, 2)"
            " from marts.fct_customer_profitability_window"
        )
    )
    assert rows == {
        "C1": (366, 17.43, "bargain_basement", 43.81, 26.38),
        "C2": (-89, -19.78, "carriage_trade", 43.81, 26.38),
        "C3": (-74, -24.67, "aggressive", 43.81, 26.38),
    }


def test_monthly_profitability_is_in_the_analysis_window(tiny_run):
    rows = tiny_run.query(
        "select customer_id, month_start_date, revenue_amount, cost_to_serve_amount,"
        " net_profit_amount, is_in_analysis_window"
        " from marts.fct_customer_profitability where customer_id = 'C1'"
    )
    assert [(r[0], str(r[1]), r[2], r[3], r[4], r[5]) for r in rows] == [
        ("C1", "2026-03-01", 2100, 554, 366, True)
    ]


def test_whale_curve_ranks_by_profit_and_ends_at_exactly_100(tiny_run):
    curve = tiny_run.query(
        "select customer_id, profit_rank, cumulative_customer_pct, cumulative_profit_pct"
        " from marts.fct_profit_curve order by profit_rank"
    )
    assert curve == [
        ("C1", 1, 33.3333, 180.2956),
        ("C3", 2, 66.6667, 143.8424),
        ("C2", 3, 100.0, 100.0),
    ]


def test_whale_curve_summary(tiny_run):
    (row,) = tiny_run.query(
        "select analysis_start_date, analysis_end_date, customer_count, loss_customer_count,"
        " loss_customers_net_profit_amount, total_net_profit_amount,"
        " peak_cumulative_profit_pct, customers_at_peak_pct from marts.rpt_profit_curve_summary"
    )
    assert (str(row[0]), str(row[1])) == ("2025-04-01", "2026-03-31")
    assert row[2:] == (3, 2, -163, 203, 180.2956, 33.3333)


def test_only_marts_and_validation_results_are_published(tiny_run):
    columns = {r[0] for r in tiny_run.query("select column_name from information_schema.columns")}
    assert not columns & {"full_name", "email", "phone"}
    schemas = {
        r[0] for r in tiny_run.query("select distinct table_schema from information_schema.tables")
    }
    assert schemas == {"marts", "quality"}
