"""docs/domain.md §5-9 on the hand-computed three-year fixture
tests/fixtures/relationships_landing.py, run through the real job: cohorts, the
loyalty coefficient, decay, loyalty categories, exit reasons, value by tenure, the
buying center, the slide-127 table, and segment migration between two runs."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from tests.conftest import by_key, run_refresh

pytestmark = pytest.mark.slow

# docs/domain.md §7, slide 127: rows price increase 1, 2, 4, 8, 16 %; columns net profit
# 1, 2, 4, 8, 16 %; cells the rise in net profit, %.
SLIDE_127 = {
    1: (100, 50, 25, 12.5, 6.25),
    2: (200, 100, 50, 25, 12.5),
    4: (400, 200, 100, 50, 25),
    8: (800, 400, 200, 100, 50),
    16: (1600, 800, 400, 200, 100),
}


def test_cohort_retention_per_acquisition_year(relationships_run):
    rows = relationships_run.query(
        "select year(acquisition_year_date), tenure_year, cohort_customer_count,"
        " active_customer_count, round(retention_pct, 2)"
        " from marts.fct_cohort_retention order by 1, 2"
    )
    assert rows == [
        (2023, 1, 3, 3, 100.0),
        (2023, 2, 3, 2, 66.67),  # first-year attrition of the 2023 cohort: A2
        (2023, 3, 1, 1, 100.0),
        (2024, 1, 3, 3, 100.0),
        (2024, 2, 2, 1, 50.0),  # B3's second year is not over yet
        (2025, 1, 1, 1, 100.0),
    ]


def test_loyalty_coefficient_per_year(relationships_run):
    rows = relationships_run.query(
        "select cast(year_end_date as varchar), active_at_start_customer_count,"
        " still_active_customer_count, loyalty_coefficient_pct"
        " from marts.fct_loyalty_coefficient order by 1"
    )
    assert rows == [("2024-12-31", 5, 3, 60.0), ("2025-12-31", 6, 3, 50.0)]


def test_lost_new_and_dried_up_customers_per_month(relationships_run):
    rows = by_key(
        relationships_run.query(
            "select strftime(month_start_date, '%Y-%m'), new_customer_count,"
            " lost_customer_count, dried_up_customer_count from marts.fct_customer_decay"
        )
    )
    assert len(rows) == 36
    lost = {month: r[1] for month, r in rows.items() if r[1]}
    assert lost == {
        "2024-01": 1,  # A1: nothing since January 2023
        "2024-03": 1,  # A2
        "2024-06": 1,  # A3, which comes back in May 2025
        "2025-01": 2,  # B1 (back in December) and B2
        "2025-02": 2,  # R1 and B3
        "2025-03": 1,  # A1 again
    }
    new = {month: r[0] for month, r in rows.items() if r[0]}
    # R0 and R1 were customers before the data began: never new
    assert new == {
        "2023-01": 1,
        "2023-03": 1,
        "2023-06": 1,
        "2024-01": 2,
        "2024-02": 1,
        "2025-01": 1,
    }
    dried_up = sorted(month for month, r in rows.items() if r[2])
    assert dried_up == ["2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]


def test_every_loyalty_category(relationships_run):
    rows = by_key(
        relationships_run.query(
            "select customer_id, satisfaction_zone, is_loyal, loyalty_category"
            " from marts.fct_customer_loyalty"
        )
    )
    assert {c: r[2] for c, r in rows.items()} == {
        "R0": "mercenary",  # very satisfied, but its buying dried up
        "A1": "loyalist",
        "B1": "apostle",
        "A3": "hostage",  # dissatisfied, still buying
        "R1": "terrorist",  # very dissatisfied and gone
        "C1": "unknown",  # never surveyed
        "A2": "unknown",
        "B2": "unknown",
        "B3": "unknown",
    }
    assert rows["R0"][:2] == ("affection", False)
    assert rows["A3"][:2] == ("defection", True)


def test_exit_reasons_as_share_of_interviewed_lost_customers(relationships_run):
    rows = by_key(
        relationships_run.query(
            "select reason, naming_customer_count, round(lost_customers_pct, 2),"
            " course_lost_customers_pct from marts.fct_exit_reasons"
        )
    )
    assert rows["no_attention"] == (2, 66.67, 92)
    assert rows["price"] == (1, 33.33, 17)
    assert rows["not_expert"] == (1, 33.33, 77)
    assert rows["unfair_treatment"] == (0, 0, 68)
    assert len(rows) == 8


def test_value_by_tenure_year_with_referrals(relationships_run):
    rows = by_key(
        relationships_run.query(
            "select tenure_year, customer_count, base_profit_amount, referrals_amount,"
            " net_profit_amount, total_value_amount from marts.fct_customer_value_by_tenure"
            " where customer_class = 'all'"
        )
    )
    assert rows == {
        1: (7, 50, 0, 50, 50),
        2: (3, 50, 0, 50, 50),
        3: (1, 50, 50, 50, 100),  # A1's third year brings C1, which it referred
    }


def test_buying_center_outlook(relationships_run):
    assert relationships_run.query(
        "select opportunity_id, contact_count, power_weighted_support_score, has_coach,"
        " order_chance from marts.fct_opportunity_outlook"
    ) == [("OP1", 2, 0.4, False, "wait")]  # (4 x 0 + 1 x 2) / 5; overconfident economic


def test_slide_127_table_cell_by_cell(relationships_run):
    rows = relationships_run.query(
        "select price_increase_pct, net_margin_pct, profit_increase_pct"
        " from marts.rpt_price_insensitivity_table"
    )
    table = {(p, m): value for p, m, value in rows}
    assert len(table) == 25
    for price_increase, cells in SLIDE_127.items():
        for margin, expected in zip((1, 2, 4, 8, 16), cells, strict=True):
            assert table[(price_increase, margin)] == expected, (price_increase, margin)


def test_value_map_per_segment(relationships_run):
    (row,) = relationships_run.query(
        "select customer_class, customer_count, webshop_order_share_pct,"
        " monochannel_customer_count, apostle_customer_count, mercenary_customer_count,"
        " entered_customer_count from marts.rpt_customer_value_map"
    )
    # no CRM scores: all five window customers are `unknown`; R0's 12 orders of 2025
    # went through the webshop, the other 4 by phone
    assert row == ("unknown", 5, 75.0, 5, 1, 1, 5)


def test_a_second_run_snapshots_again_and_shows_the_migration(relationships_run, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(relationships_run.warehouse, warehouse)
    # A1 (satisfaction 4, recommend 7) becomes an apostle under looser cut-offs
    dbt_vars = {"satisfaction_affection_from": 4, "promoter_min_recommend": 7}
    rerun = run_refresh(
        relationships_run.landing, warehouse, env={"VALUEMAP_DBT_VARS": json.dumps(dbt_vars)}
    )
    assert rerun.result.returncode == 0, rerun.result.stderr[-3000:]
    # nothing was loaded twice
    assert rerun.query("select count(*) from raw.orders__orders", warehouse) == [
        (49,)
    ]  # 36 of R0, 13 of the others
    assert rerun.query(
        "select count(distinct snapshot_id), count(*) from marts.fct_customer_snapshots"
    ) == [(2, 10)]
    migration = by_key(
        rerun.query(
            "select customer_id, migration_type, previous_loyalty_category,"
            " current_loyalty_category from marts.fct_segment_migration"
        )
    )
    assert migration["A1"] == ("loyalty_changed", "loyalist", "apostle")
    assert {c: r[0] for c, r in migration.items() if c != "A1"} == {
        "R0": "unchanged",
        "A3": "unchanged",
        "B1": "unchanged",
        "C1": "unchanged",
    }


def test_personal_data_never_reaches_what_bi_reads(relationships_run):
    """Contact names, e-mails and phones stay in the build warehouse's raw layer."""
    personal = {
        value
        for row in relationships_run.query(
            "select full_name, email, phone from raw.crm__contacts", relationships_run.warehouse
        )
        for value in row
        if value
    }
    assert len(personal) >= 20
    tables = relationships_run.query(
        "select table_schema, table_name, column_name from information_schema.columns"
        " where data_type = 'VARCHAR'"
    )
    leaked = [
        (schema, table, column)
        for schema, table, column in tables
        for (value,) in relationships_run.query(f'select distinct "{column}" from {schema}.{table}')
        if value in personal
    ]
    assert leaked == []
    parquet = relationships_run.published.with_name("warehouse_published_parquet")
    with duckdb.connect() as con:
        for path in sorted(parquet.glob("*.parquet")):
            values = {v for row in con.sql(f"select * from '{path}'").fetchall() for v in row}
            assert not values & personal, path.name
