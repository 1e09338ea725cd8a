"""Nothing lost, nothing changed (docs/contract.md, "Held rows" and "Numbers"): a row
waits for what it refers to and enters when it arrives; a rule that relates rows holds
after every load, corrections included; a number is loaded as written or rejected; and
the state the marts are built from does not depend on how the same rows were split
over nights or in which order they arrived."""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import published_marts, run_refresh
from tests.fixtures.tiny_landing import TABLES, write_csv
from valuemap.contract import TABLES as CONTRACT_TABLES
from valuemap.loader import load_landing

_clock = [time.time() - 100_000]


def deliver(landing: Path, table: str, rows: list[dict], name: str | None = None) -> Path:
    """Write one file into a table folder, delivered after every file before it."""
    path = write_csv(landing / table / (name or f"{table.split('/')[1]}.csv"), rows)
    _clock[0] += 10
    os.utime(path, (_clock[0], _clock[0]))
    return path


def raw_state(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every contract column of every raw table, sorted: what the marts are built from."""
    state = {}
    for table in CONTRACT_TABLES:
        columns = ", ".join(f'"{c.name}"' for c in table.columns)
        state[table.path] = con.execute(
            f"select {columns} from raw.{table.raw_name} order by all"
        ).fetchall()
    return state


def held_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select table_path, key_value, column_name, reason, held_value from quality.held_rows"
        " order by all"
    ).fetchall()


# O1's first line as first delivered: 1 unit, so the return of 2 (R1) does not fit until
# the correction to 10 units arrives.
LINES_BEFORE_CORRECTION = [
    {**row, "quantity": "1"} if (row["order_id"], row["line_number"]) == ("O1", "1") else row
    for row in TABLES["orders/order_lines"]
]
EVERYTHING = list(TABLES)
# Each split: the tables delivered night by night. "lines before correction" delivers
# LINES_BEFORE_CORRECTION; "order_lines" on a later night then corrects it.
SPLITS = {
    "all_at_once": [EVERYTHING],
    "customers_last": [[t for t in EVERYTHING if t != "crm/customers"], ["crm/customers"]],
    "orders_first": [
        [t for t in EVERYTHING if t.startswith("orders/")],
        [t for t in EVERYTHING if t.startswith("costs/")],
        [t for t in EVERYTHING if t.startswith("crm/")],
    ],
    "products_last": [[t for t in EVERYTHING if t != "costs/products"], ["costs/products"]],
    "children_first_one_table_a_night": [[t] for t in reversed(EVERYTHING)],
    "correction_after_its_dependants": [
        ["lines before correction" if t == "orders/order_lines" else t for t in EVERYTHING],
        ["orders/order_lines"],
    ],
}


def deliver_night(landing: Path, tables: list[str], night: int) -> None:
    for table in tables:
        if table == "lines before correction":
            deliver(landing, "orders/order_lines", LINES_BEFORE_CORRECTION, "lines_first.csv")
        else:
            deliver(landing, table, TABLES[table], f"night{night}.csv")


@pytest.fixture(scope="module")
def all_at_once(tmp_path_factory) -> dict[str, list[tuple]]:
    root = tmp_path_factory.mktemp("all_at_once")
    deliver_night(root / "landing", EVERYTHING, 1)
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        load_landing(con, root / "landing")
        return raw_state(con)


@pytest.mark.parametrize("split", SPLITS, ids=str)
def test_the_loaded_rows_do_not_depend_on_the_split_or_the_order(split, all_at_once, tmp_path):
    landing = tmp_path / "landing"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        for night, tables in enumerate(SPLITS[split], start=1):
            deliver_night(landing, tables, night)
            load_landing(con, landing)
        assert raw_state(con) == all_at_once
        assert held_rows(con) == []
        # released once: a row is in raw once, and another run moves nothing
        load_landing(con, landing)
        assert raw_state(con) == all_at_once
        released, held = con.execute(
            "select coalesce(sum(rows_released), 0), coalesce(sum(rows_held), 0) from raw._load_log"
        ).fetchone()
        assert released == held  # every row held (at its load) was released once


def test_rows_of_a_customer_the_crm_has_not_delivered_wait_for_it(tmp_path):
    landing = tmp_path / "landing"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        deliver_night(landing, [t for t in EVERYTHING if t != "crm/customers"], 1)
        results = load_landing(con, landing, held_attention_days=0)
        orders = next(r for r in results if r.table == "orders/orders")
        assert (orders.rows_read, orders.rows_loaded, orders.rows_held) == (5, 0, 5)
        assert "row 2, customer_id: held: unknown customer ('C1')" in orders.message
        # every order line waits with its order: 10x100 + 2x400 + 5x100 + 1x450 +
        # 100x100 (O4, cancelled) + 3x100 = 13,050 of revenue held
        summary = con.execute(
            "select table_path, count(*), sum(revenue_amount), bool_and(needs_attention)"
            " from quality.held_rows group by 1 order by 1"
        ).fetchall()
        assert summary == [
            ("crm/activities", 3, None, True),
            ("crm/complaints", 1, None, True),
            ("orders/deliveries", 5, None, True),
            ("orders/order_lines", 6, Decimal("13050"), True),
            ("orders/orders", 5, None, True),
            ("orders/returns", 1, None, True),
        ]
        assert con.execute("select count(*) from raw.orders__orders").fetchone() == (0,)

        deliver(landing, "crm/customers", TABLES["crm/customers"])
        load_landing(con, landing)
        assert held_rows(con) == []
        assert con.execute(
            "select count(*), count(distinct _load_id) from raw.orders__orders"
        ).fetchone() == (5, 1)
        # the release is a load of its own: the incremental models rebuild its months
        assert con.execute(
            "select status, rows_released from raw._load_log where load_id ="
            " (select max(_load_id) from raw.orders__orders)"
        ).fetchone() == ("settled", 5)


def test_a_correction_that_breaks_a_return_holds_the_return_until_it_fits(tmp_path):
    landing = tmp_path / "landing"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        deliver_night(landing, EVERYTHING, 1)
        load_landing(con, landing)
        # night 2: 8 more of O1's line 1 (10 sold) come back: 2 + 8 = 10 fits
        deliver(
            landing,
            "orders/returns",
            [
                {
                    "return_id": "R2",
                    "order_id": "O1",
                    "line_number": "1",
                    "return_date": "2026-03-28",
                    "quantity": "8",
                    "reason": "",
                }
            ],
            "returns_night2.csv",
        )
        load_landing(con, landing)
        assert con.execute("select count(*) from raw.orders__returns").fetchone() == (2,)
        # night 3: the line is corrected to 5 units: R1 (2, the 25th) still fits, R2 not
        corrected = [{**TABLES["orders/order_lines"][0], "quantity": "5"}]
        deliver(landing, "orders/order_lines", corrected, "lines_night3.csv")
        load_landing(con, landing)
        assert con.execute("select return_id from raw.orders__returns").fetchall() == [("R1",)]
        ((key, column, reason, value),) = con.execute(
            "select key_value, column_name, reason, held_value from quality.held_rows"
        ).fetchall()
        assert (json.loads(key), column, value) == ({"return_id": "R2"}, "quantity", "8.0000")
        assert reason == (
            "return larger than the sold quantity: returns of order O1 line 1 add up to"
            " 10.0000 with this one, 5.0000 sold (the line: lines_night3.csv row 2)"
        )
        # night 4: corrected back to 10: R2 fits again and is released
        deliver(landing, "orders/order_lines", TABLES["orders/order_lines"][:1], "lines4.csv")
        load_landing(con, landing)
        assert held_rows(con) == []
        assert con.execute(
            "select return_id, quantity from raw.orders__returns order by 1"
        ).fetchall() == [("R1", 2), ("R2", 8)]


def test_a_cost_activity_of_an_unknown_pool_waits_for_the_pool(tmp_path):
    landing = tmp_path / "landing"
    typo = {
        "activity_id": "A_TYPO",
        "activity_name": "Typed by hand",
        "pool_id": "p_cs",
        "driver": "orders",
        "unit_minutes": "5",
        "pool_share": "",
    }
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        deliver_night(landing, EVERYTHING, 1)
        deliver(landing, "costs/activities", [typo], "typo.csv")
        load_landing(con, landing)
        assert held_rows(con) == [
            ("costs/activities", '{"activity_id":"A_TYPO"}', "pool_id", "unknown pool", "p_cs")
        ]


def test_pool_shares_above_one_hold_the_pools_activities_until_corrected(tmp_path):
    landing = tmp_path / "landing"
    extra = {
        "activity_id": "A_LABEL",
        "activity_name": "Label",
        "pool_id": "P_WH",
        "driver": "order_lines",
        "unit_minutes": "",
        "pool_share": "0.5",
    }
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        deliver_night(landing, EVERYTHING, 1)
        load_landing(con, landing)
        # P_WH: A_PICK 0.5 + A_SHIP 0.25 + A_RUSH 0.25 + A_LABEL 0.5 = 1.5
        deliver(landing, "costs/activities", [extra], "label.csv")
        load_landing(con, landing)
        held = con.execute(
            "select json_extract_string(key_value, '$.activity_id'), reason"
            " from quality.held_rows order by 1"
        ).fetchall()
        assert [activity for activity, _ in held] == ["A_LABEL", "A_PICK", "A_RUSH", "A_SHIP"]
        assert held[0][1].startswith(
            "pool shares add up to more than 1: those of pool P_WH add up to 1.5000: "
        )
        assert "A_LABEL 0.5000 (label.csv row 2)" in held[0][1]
        assert con.execute(
            "select count(*) from raw.costs__activities where pool_id = 'P_WH'"
        ).fetchone() == (0,)
        # the label activity corrected to no share: the pool's activities come back
        deliver(landing, "costs/activities", [{**extra, "pool_share": "0"}], "label_fix.csv")
        load_landing(con, landing)
        assert held_rows(con) == []
        assert con.execute(
            "select sum(pool_share) from raw.costs__activities where pool_id = 'P_WH'"
        ).fetchone() == (1,)


def test_a_customer_referred_by_an_unknown_customer_waits_with_its_orders(tmp_path):
    landing = tmp_path / "landing"
    customer = {"customer_id": "C9", "customer_name": "Late", "created_date": "2025-01-01"}
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        deliver_night(landing, EVERYTHING, 1)
        deliver(landing, "crm/customers", [{**customer, "referred_by_customer_id": "C8"}], "c9.csv")
        order = {**TABLES["orders/orders"][0], "order_id": "O9", "customer_id": "C9"}
        deliver(landing, "orders/orders", [order], "o9.csv")
        load_landing(con, landing)
        assert [row[:4] for row in held_rows(con)] == [
            ("crm/customers", '{"customer_id":"C9"}', "referred_by_customer_id",
             "unknown referring customer"),
            ("orders/orders", '{"order_id":"O9"}', "customer_id", "unknown customer"),
        ]  # fmt: skip
        deliver(landing, "crm/customers", [customer | {"customer_id": "C8"}], "c8.csv")
        load_landing(con, landing)
        assert held_rows(con) == []
        assert con.execute(
            "select customer_id from raw.orders__orders where order_id = 'O9'"
        ).fetchall() == [("C9",)]


def load_products(tmp_path: Path, values: list[str], dialect: dict | None = None) -> dict:
    """Load products with these unit costs; returns {row: loaded value or reject reason}."""
    landing = tmp_path / "landing"
    rows = [
        {"product_id": f"P{i}", "product_name": "x", "unit_standard_cost": v}
        for i, v in enumerate(values)
    ]
    if dialect:
        (landing / "costs").mkdir(parents=True, exist_ok=True)
        (landing / "costs" / "dialect.json").write_text(json.dumps(dialect))
        sep = dialect.get("delimiter", ",")
        path = landing / "costs" / "products" / "products.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [sep.join(["product_id", "product_name", "unit_standard_cost"])]
        lines += [
            sep.join([r["product_id"], r["product_name"], r["unit_standard_cost"]]) for r in rows
        ]
        path.write_text("\n".join(lines) + "\n")
    else:
        deliver(landing, "costs/products", rows)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        load_landing(con, landing)
        loaded = dict(
            con.execute("select product_id, unit_standard_cost from raw.costs__products").fetchall()
        )
        rejected = dict(
            con.execute(
                "select 'P' || (row_number - 2), reason from raw._rejects"
                " where table_path = 'costs/products'"
            ).fetchall()
        )
    return {f"P{i}": loaded.get(f"P{i}", rejected.get(f"P{i}")) for i in range(len(values))}


def test_a_european_thousands_dot_is_read_only_where_the_dialect_names_it(tmp_path):
    european = {"delimiter": ";", "decimal": ","}
    # without a thousands separator in the dialect, 1.234 is not read as 1.234
    assert load_products(tmp_path / "a", ["1.234", "1.234,50", "12,5"], european) == {
        "P0": "not a number (decimal ',', thousands separator none; see dialect.json)",
        "P1": "not a number (decimal ',', thousands separator none; see dialect.json)",
        "P2": Decimal("12.5"),
    }
    with_dot = {**european, "thousands": "."}
    assert load_products(tmp_path / "b", ["1.234", "1.234,50", "1.23", "1234"], with_dot) == {
        "P0": Decimal("1234"),
        "P1": Decimal("1234.5"),
        "P2": "not a number (decimal ',', thousands separator '.')",
        "P3": Decimal("1234"),
    }


def test_decimals_beyond_the_raw_precision_are_rejected_not_rounded(tmp_path):
    assert load_products(tmp_path, ["12.34567", "12.345600", "123456789012345", "0.0001"]) == {
        "P0": "more than 4 decimals: it would be rounded",
        "P1": Decimal("12.3456"),
        "P2": "too large: more than 14 digits before the decimal mark",
        "P3": Decimal("0.0001"),
    }


def test_fractions_in_whole_number_columns_are_rejected_not_rounded(tmp_path):
    landing = tmp_path / "landing"
    deliver_night(landing, EVERYTHING, 1)
    survey = {
        "customer_id": "C1",
        "survey_date": "2026-03-01",
        "dimension": "overall",
        "expectation": "4",
        "experience": "4",
        "recommend": "",
    }
    deliver(
        landing,
        "crm/surveys",
        [
            {**survey, "response_id": "S1", "experience": "4.6"},
            {**survey, "response_id": "S2", "expectation": "5.4"},
            {**survey, "response_id": "S3", "recommend": "10.4"},
            {**survey, "response_id": "S4", "experience": "5.0"},
        ],
    )
    complaint = {**TABLES["crm/complaints"][0], "complaint_id": "Q2", "handling_minutes": "220.5"}
    deliver(landing, "crm/complaints", [complaint], "q2.csv")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        load_landing(con, landing)
        assert con.execute(
            "select table_path, row_number, column_name, reason, raw_value from raw._rejects"
            " order by all"
        ).fetchall() == [
            ("crm/complaints", 2, "handling_minutes",
             "not a whole number: the fraction would be rounded", "220.5"),
            ("crm/surveys", 2, "experience",
             "not a whole number: the fraction would be rounded", "4.6"),
            ("crm/surveys", 3, "expectation",
             "not a whole number: the fraction would be rounded", "5.4"),
            ("crm/surveys", 4, "recommend",
             "not a whole number: the fraction would be rounded", "10.4"),
        ]  # fmt: skip
        # a zero fraction is the same whole number
        assert con.execute("select response_id, experience from raw.crm__surveys").fetchall() == [
            ("S4", 5)
        ]


@pytest.mark.slow
def test_marts_of_a_split_delivery_equal_the_all_at_once_run(tiny_run, tmp_path):
    """Night 1: everything but customer C1, with O1's line 1 before its correction; C1's
    orders, lines, deliveries, return and activity wait. Night 2: C1 and the correction.
    The published marts then equal the run that had it all at once, to the cent."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    customers = TABLES["crm/customers"]
    night1 = ["lines before correction" if t == "orders/order_lines" else t for t in EVERYTHING]
    deliver_night(landing, [t for t in night1 if t != "crm/customers"], 1)
    deliver(landing, "crm/customers", customers[1:], "customers_c2_c4.csv")
    first = run_refresh(landing, warehouse)
    assert first.result.returncode == 0, first.result.stderr[-3000:]
    # C1's lines wait: 1 x 100 + 2 x 400 (O1, before the correction) + 5 x 100 (O2)
    assert first.query(
        "select count(*), sum(revenue_amount) from quality.held_rows"
        " where table_path = 'orders/order_lines'"
    ) == [(3, Decimal("1400"))]
    assert "held" in first.result.stdout
    assert first.query(
        "select customer_id from marts.fct_customer_profitability_window order by 1"
    ) == [("C2",), ("C3",)]

    deliver(landing, "crm/customers", customers[:1], "customers_c1.csv")
    deliver(landing, "orders/order_lines", TABLES["orders/order_lines"], "lines_corrected.csv")
    second = run_refresh(landing, warehouse)
    assert second.result.returncode == 0, second.result.stderr[-3000:]
    assert second.query("select count(*) from quality.held_rows") == [(0,)]
    assert published_marts(second.published) == published_marts(tiny_run.published)
