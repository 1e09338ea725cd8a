"""docs/domain.md §2 (the 20/80 rules, attention vs profit, top 10), 3 (criteria,
Whitney, classes, resources) and 4 (Kraljic and its matching models), on the
hand-computed fixture tests/fixtures/segments_landing.py, run through the real job."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import by_key
from valuemap.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

SEGMENT_COLUMNS = (
    "customer_id, is_strategic, is_significant, is_profitable, whitney_policy_code,"
    " customer_class, kraljic_quadrant"
)


def test_top_20_pct_share_of_each_measure(segments_run):
    rows = by_key(
        segments_run.query(
            "select measure, customer_count, top_customer_count, total_amount,"
            " top_customers_amount, round(top_customers_share_pct, 4) from marts.fct_concentration"
        )
    )
    assert rows == {
        "revenue": (11, 2, 11050, 5500, 49.7738),
        "net_profit": (11, 2, 1780, 2000, 112.3596),
        "attention": (11, 2, 1750, 1100, 62.8571),
        "complaints": (11, 2, 7, 5, 71.4286),
    }


def test_pareto_deciles_add_up_to_the_total(segments_run):
    revenue = segments_run.query(
        "select decile, customer_count, measure_amount, round(cumulative_share_pct, 4)"
        " from marts.fct_concentration_deciles where measure = 'revenue' order by decile"
    )
    # 11 customers: ranks 1-10 get deciles 1-10, rank 11 (S11) joins S08 in decile 10
    assert [r[0] for r in revenue] == list(range(1, 11))
    assert revenue[1] == (2, 1, 2500, 49.7738)
    assert revenue[-1] == (10, 2, 150, 100.0)


def test_significance_is_the_first_80_pct_of_revenue(segments_run):
    significant = segments_run.query(
        "select customer_id from marts.fct_customer_segments where is_significant order by 1"
    )
    assert [r[0] for r in significant] == ["S01", "S02", "S03", "S04"]


def test_whitney_policy_for_each_of_the_8_combinations(segments_run):
    rows = by_key(
        segments_run.query(
            "select customer_id, is_strategic, is_significant, is_profitable, whitney_policy_code"
            " from marts.fct_customer_segments"
        )
    )
    assert rows == {
        "S01": (True, True, True, "retain_and_invest"),
        "S02": (True, True, False, "improve_profitability"),
        "S05": (True, False, True, "grow_volume_if_potential"),
        "S10": (True, False, True, "grow_volume_if_potential"),
        "S06": (True, False, False, "raise_profitability_and_volume"),
        "S03": (False, True, True, "invest_elsewhere"),
        "S04": (False, True, False, "stop_investing_size_not_enough"),
        "S07": (False, False, True, "stop_investing_contribution_too_small"),
        "S11": (False, False, True, "stop_investing_contribution_too_small"),
        "S08": (False, False, False, "outsource_to_competitor"),
        # no strategic effect scored in the CRM: unknown, not "not strategic"
        "S09": (None, False, True, "unknown"),
    }


def test_classes_from_the_weighted_score(segments_run):
    rows = by_key(
        segments_run.query(
            "select customer_id, significance_score, profitability_score, strategic_score,"
            " synergy_score, weighted_score, customer_class, resource_category"
            " from marts.fct_customer_segments"
        )
    )
    assert rows["S01"] == (100, 100, 80, 100, 96, "key_account", "I")
    assert rows["S05"] == (50, 70, 100, 80, 70, "future_key_account", "II")
    assert rows["S03"] == (80, 90, 40, 60, 73.5, "large", "III")
    assert rows["S10"] == (60, 80, 80, 40, 69, "small", "IV")
    assert rows["S07"] == (20, 50, 20, 20, 30.5, "small", "IV")
    # a loss always wins, whatever the scores
    assert rows["S02"][5:] == ("loss", "IV")
    assert rows["S06"][5:] == ("loss", "IV")
    # a criterion with no CRM score: the class is unknown, not a default
    assert rows["S09"][2:] == (None, 60, None, "unknown", "unassessed")
    assert rows["S11"][3:] == (None, None, "unknown", "unassessed")
    counts = dict(
        segments_run.query(
            "select customer_class, count(*) from marts.fct_customer_segments group by 1"
        )
    )
    assert counts == {
        "key_account": 1,
        "future_key_account": 1,
        "large": 1,
        "small": 2,
        "loss": 4,
        "unknown": 2,
    }


def test_attention_budget_per_class(segments_run):
    rows = by_key(
        segments_run.query(
            "select customer_id, attention_minutes, attention_budget_minutes,"
            " attention_vs_budget_pct from marts.fct_customer_segments"
            " where customer_id in ('S01', 'S02', 'S10')"
        )
    )
    assert rows == {
        "S01": (300, 612.5, 48.98),
        "S02": (600, 21.88, 2742.86),
        "S10": (100, 87.5, 114.29),
    }


def test_kraljic_quadrant_and_matching_models(segments_run):
    rows = by_key(
        segments_run.query(
            "select customer_id, kraljic_quadrant, stewart_response, rackham_buying_strategy,"
            " rackham_selling_strategy, holden_buying_pattern from marts.fct_customer_segments"
            " where customer_id in ('S01', 'S02', 'S03', 'S04', 'S07', 'S08')"
        )
    )
    assert rows == {
        "S01": ("partner", "capitalize", "partner", "enterprise_selling", "strategic"),
        "S02": ("leverage", "differentiate", "leverage_size", "consultative_selling", "solutions"),
        "S03": ("bottleneck", "informate", "manage_risk", "consultative_selling", "business"),
        "S04": ("routine", "automate", "shop", "transactional_selling", "commodity"),
        "S07": ("unknown",) * 5,
        "S08": ("unknown",) * 5,
    }


def test_energy_suckers_and_neglected_profitable_customers(segments_run):
    flagged = segments_run.query(
        "select customer_id, is_energy_sucker, is_neglected_profitable"
        " from marts.fct_attention_vs_profit"
        " where is_energy_sucker or is_neglected_profitable order by 1"
    )
    assert flagged == [("S02", True, False), ("S03", False, True)]
    (s02,) = segments_run.query(
        "select attention_minutes, round(attention_share, 6), round(profit_share, 6),"
        " attention_to_profit_ratio from marts.fct_attention_vs_profit where customer_id = 'S02'"
    )
    # 600 of 1,750 minutes, while it loses 500 of a total profit of 1,780
    assert s02 == (600, round(600 / 1750, 6), round(-500 / 1780, 6), None)


def test_top_customers_by_revenue_with_ties_by_customer_id(segments_run):
    rows = segments_run.query(
        "select revenue_rank, customer_id, revenue_amount, round(profit_share_pct, 4)"
        " from marts.rpt_top_customers order by revenue_rank"
    )
    assert len(rows) == 10  # S11, the smallest, is out
    assert rows[0] == (1, "S01", 3000, round(100 * 1200 / 1780, 4))
    # S07 and S09 both have 200: the lower customer_id ranks first, run after run
    assert [r[1] for r in rows[7:10]] == ["S07", "S09", "S08"]


def rebuild_with_vars(run, tmp_path, dbt_vars: dict) -> list[tuple]:
    """dbt build of fct_customer_segments on a copy of the run's warehouse with other vars."""
    tmp_path.mkdir(parents=True)
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(run.warehouse, warehouse)
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--select",
            "fct_customer_segments",
            "--vars",
            json.dumps(dbt_vars),
            "--project-dir",
            str(PROJECT_ROOT),
            "--profiles-dir",
            str(PROJECT_ROOT),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "VALUEMAP_WAREHOUSE": str(warehouse),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        },
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return run.query(
        f"select {SEGMENT_COLUMNS} from marts.fct_customer_segments order by 1", warehouse
    )


def test_changing_a_threshold_changes_the_segments(segments_run, tmp_path):
    before = {r[0]: r[1:] for r in rebuild_with_vars(segments_run, tmp_path / "a", {})}
    after = {
        r[0]: r[1:]
        for r in rebuild_with_vars(
            segments_run,
            tmp_path / "b",
            {"key_account_min_weighted_score": 70, "strategic_min_score": 4},
        )
    }
    # S03 (73.5) and S05 (70) become key accounts; S02 and S06 (mean 3.0) lose strategic
    assert (before["S03"][4], after["S03"][4]) == ("large", "key_account")
    assert (before["S05"][4], after["S05"][4]) == ("future_key_account", "key_account")
    assert (before["S02"][3], after["S02"][3]) == (
        "improve_profitability",
        "stop_investing_size_not_enough",
    )
    assert (before["S06"][3], after["S06"][3]) == (
        "raise_profitability_and_volume",
        "outsource_to_competitor",
    )
    changed = {c for c in before if before[c] != after[c]}
    assert changed == {"S02", "S03", "S05", "S06"}
