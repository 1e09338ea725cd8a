"""What if we act (docs/domain.md §10), on the hand-computed fixture
(tests/fixtures/tiny_landing.py) and the default scenarios of seeds/action_scenarios.csv.
Kaplan & Anderson's own example is in the dbt unit tests of the scenario models.

The fixture's C3 is the one aggressive customer (low margin, high cost to serve): revenue
300, COGS 180, gross margin 120, cost to serve 194 (orders 50 and calls 30 from the
time-driven P_CS at 1 EUR a minute; a line 60, a delivery 30 and the account 24 from
conventional pools), a loss of 74.
"""

from __future__ import annotations

import pytest

from tests.conftest import by_key
from valuemap.warehouse import report_path

pytestmark = pytest.mark.slow


def test_stopping_a_customer_frees_its_minutes_and_respreads_its_conventional_cost(tiny_run):
    customers = by_key(
        tiny_run.query(
            "select customer_id, is_stopped, revenue_after_amount, cost_to_serve_after_amount,"
            " net_profit_after_amount from marts.fct_action_scenarios"
            " where scenario_code = 'stop_aggressive' order by customer_id"
        )
    )
    # C3's 60 of picking (300 over 4 lines instead of 5: 75 a line), 30 of shipping (150
    # over 4 deliveries: 37.5) and 24 of account cost (72 over 2 customers: 36) move to
    # the others: C1 +45 +15 +12 = 626, C2 +15 +15 +12 = 381; C3's 80 minutes move to no one.
    assert customers == {
        "C1": (False, 2100, 626, 294),
        "C2": (False, 450, 381, -131),
        "C3": (True, 0, 0, 0),
    }
    pool = tiny_run.query(
        "select freed_minutes, as_is_unused_capacity_amount, freed_capacity_amount,"
        " capacity_reduced_pool_cost_amount, capacity_reduced_unused_capacity_amount"
        " from marts.fct_action_scenario_pools"
        " where scenario_code = 'stop_aggressive' and pool_id = 'P_CS'"
    )
    # unused capacity rises by exactly C3's 80 minutes x 1 EUR; with the capacity cut
    # by them the pool costs 920 and its unused capacity stays 625
    assert pool == [(80, 705, 80, 920, 625)]
    effect = tiny_run.query(
        "select net_effect_as_is_amount, net_effect_capacity_reduced_amount,"
        " conventional_cost_respread_amount, loss_customer_count_before,"
        " loss_customer_count_after, peak_cumulative_profit_pct_after"
        " from marts.rpt_action_scenarios where scenario_code = 'stop_aggressive'"
    )
    # as is: its gross margin of 120 is lost, its cost stays; capacity cut: -120 + 80.
    # Its conventional 114 still costs: the loss of 74 is not gained. Curve: C1 294 of 163.
    assert effect == [(-120, -40, 114, 2, 1, 180.3681)]


def test_a_price_rise_moves_revenue_cogs_and_drivers_by_the_loyalty_response(tiny_run):
    # No customer of the fixture has a loyalty category: `unknown` gives up 1% of volume
    # per % of price, so 2% more price is 2% less volume: revenue x 0.98 x 1.02, COGS x 0.98.
    revenue, gross_margin, as_is, capacity_cut, freed = tiny_run.query(
        "select revenue_after_amount, gross_margin_after_amount, net_effect_as_is_amount,"
        " net_effect_capacity_reduced_amount, freed_minutes from marts.rpt_action_scenarios"
        " where scenario_code = 'raise_price_2pct'"
    )[0]
    assert float(revenue) == pytest.approx(2850 * 0.98 * 1.02)  # 2,848.86
    assert float(gross_margin) == pytest.approx(2848.86 - 1560 * 0.98)  # 1,320.06
    assert float(as_is) == pytest.approx(30.06)  # against a gross margin of 1,290
    # 2% of the 375 minutes used are freed: 7.5 EUR once the capacity is cut
    assert float(freed) == pytest.approx(7.5)
    assert float(capacity_cut) == pytest.approx(37.56)
    # everyone buys 2% less, so each keeps its share of the conventional pools
    conventional = tiny_run.query(
        "select sum(conventional_cost_after_amount - conventional_cost_before_amount)"
        " from marts.fct_action_scenarios where scenario_code = 'raise_price_2pct'"
    )
    assert float(conventional[0][0]) == pytest.approx(0, abs=1e-6)


def test_every_pool_reconciles_in_every_scenario_in_both_views(tiny_run):
    rows = tiny_run.query(
        "select scenario_code, sum(pool_cost_amount),"
        " sum(as_is_allocated_amount + as_is_unused_capacity_amount + unallocated_after_amount),"
        " sum(capacity_reduced_pool_cost_amount),"
        " sum(capacity_reduced_allocated_amount + capacity_reduced_unused_capacity_amount"
        " + unallocated_after_amount)"
        " from marts.fct_action_scenario_pools group by 1 order by 1"
    )
    assert len(rows) == 6  # the default scenarios
    for scenario, cost, as_is, reduced_cost, reduced in rows:
        assert cost == 2300, scenario  # 1000 + 600 + 90 + 40 + 500 + 70
        assert float(as_is) == pytest.approx(float(cost), abs=0.005), scenario
        assert float(reduced) == pytest.approx(float(reduced_cost), abs=0.005), scenario


def test_the_report_sets_the_scenarios_side_by_side(tiny_run):
    page = report_path(tiny_run.published).read_text(encoding="utf-8")
    section = page[page.index("<h2>What if we act</h2>") :].split("</section>")[0]
    # the best with the capacity cut first: the 2% price rise (37.56; 30.06 as is)
    assert (
        "Raise every price by 2%: profit +EUR 38 over the window once the freed capacity"
        " is cut, +EUR 30 as is." in section
    )
    assert section.count("<tr>") == 7  # a header and the six default scenarios
