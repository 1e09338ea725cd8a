"""The landing contract, enforced by the loader (docs/contract.md)."""

from __future__ import annotations

import io
import json
import os
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.fixtures.tiny_landing import TABLES, write_csv, write_tiny_landing
from valuemap.loader import LoadProgress, load_landing


@pytest.fixture
def con(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        yield connection


def deliver(path: Path, rows: list[dict], age: int = 0) -> Path:
    """Write a file and give it a delivery time (`age` seconds in the future orders it last)."""
    write_csv(path, rows)
    stamp = time.time() + age
    os.utime(path, (stamp, stamp))
    return path


def rejects(con) -> list[tuple]:
    return con.execute(
        "select table_path, regexp_extract(file_path, '[^/]+$'), row_number, column_name, reason,"
        " raw_value from raw._rejects order by all"
    ).fetchall()


def test_every_row_is_loaded_or_rejected(con, tmp_path):
    landing = write_tiny_landing(tmp_path / "landing")
    results = load_landing(con, landing)
    assert all(r.rows_read == r.rows_loaded + r.rows_rejected for r in results)
    assert sum(r.rows_loaded for r in results) == sum(len(rows) for rows in TABLES.values())
    assert rejects(con) == []


def test_a_long_load_shows_its_progress_and_a_short_one_stays_quiet(con, tmp_path):
    landing = write_tiny_landing(tmp_path / "landing")
    quiet = io.StringIO()
    load_landing(con, landing, LoadProgress(quiet, after_seconds=3600))
    assert quiet.getvalue() == ""
    (landing / "orders" / "order_lines" / "order_lines_again.csv").write_bytes(
        (landing / "orders" / "order_lines" / "order_lines.csv").read_bytes()
    )
    complaints = landing / "crm" / "complaints"
    header = (complaints / "complaints.csv").read_text(encoding="utf-8").splitlines()[0]
    (complaints / "late.csv").write_text(header + "\n", encoding="utf-8")  # no rows yet
    shown = io.StringIO()
    load_landing(con, landing, LoadProgress(shown, after_seconds=0))
    lines = shown.getvalue().splitlines()
    total = len(TABLES) + 2
    assert len(lines) == 2 * total  # one line as each file starts, one as it ends
    assert any(f"/{total} orders/order_lines: reading order_lines_again.csv" in x for x in lines)
    assert any(f"/{total} orders/order_lines: already loaded (load " in x for x in lines)
    assert any(
        f"/{total} crm/complaints: loaded, 0 rows loaded, 0 rejected in " in x for x in lines
    )


def test_redelivered_identical_file_adds_nothing(con, tmp_path):
    landing = write_tiny_landing(tmp_path / "landing")
    load_landing(con, landing)
    before = con.execute("select count(*) from raw.orders__order_lines").fetchone()
    copy = landing / "orders" / "order_lines" / "order_lines_again.csv"
    copy.write_bytes((landing / "orders" / "order_lines" / "order_lines.csv").read_bytes())
    results = load_landing(con, landing)
    assert {r.status for r in results} == {"skipped"}
    assert con.execute("select count(*) from raw.orders__order_lines").fetchone() == before
    assert con.execute("select count(*) from raw._load_log").fetchone() == (len(TABLES),)


def test_a_file_is_read_again_only_when_its_size_or_time_changed(con, tmp_path):
    """The load log keeps each file's content hash with its size and modification time;
    the next run reads a file again only when one of them changed (rsync's quick check),
    so the files a landing folder keeps cost nothing on the nights after."""
    landing = write_tiny_landing(tmp_path / "landing")
    load_landing(con, landing)
    lines = landing / "orders" / "order_lines" / "order_lines.csv"
    delivered = lines.stat().st_mtime_ns
    # Touched, the same bytes: read and hashed again, and known by its hash.
    os.utime(lines, ns=(delivered, delivered + 10**9))
    assert {r.status for r in load_landing(con, landing)} == {"skipped"}
    # Other bytes of the same size, under the time it was loaded with: not read again,
    # which is how it shows that the run did not read it.
    lines.write_bytes(lines.read_bytes().replace(b"O2,1,P1,5,", b"O2,1,P1,6,"))
    os.utime(lines, ns=(delivered, delivered))
    assert {r.status for r in load_landing(con, landing)} == {"skipped"}
    # A new modification time: read, and its new quantity loaded.
    os.utime(lines, ns=(delivered, delivered + 2 * 10**9))
    results = load_landing(con, landing)
    assert [r.table for r in results if r.status == "loaded"] == ["orders/order_lines"]
    assert con.execute(
        "select quantity from raw.orders__order_lines where order_id = 'O2'"
    ).fetchall() == [(6,)]
    assert con.execute(
        "select count(*) from raw._load_log where file_size is null or file_mtime_ns is null"
    ).fetchone() == (0,)


def test_bad_rows_land_in_rejects_with_file_row_column_and_reason(con, tmp_path):
    landing = write_tiny_landing(tmp_path / "landing")
    orders = [
        {
            "order_id": "O9",
            "customer_id": "C1",
            "order_date": "2026-13-01",
            "channel": "edi",
            "delivery_type": "standard",
            "status": "completed",
        },
        {
            "order_id": "O10",
            "customer_id": "C1",
            "order_date": "2026-03-02",
            "channel": "fax",
            "delivery_type": "standard",
            "status": "completed",
        },
        {
            "order_id": "O11",
            "customer_id": "NOPE",
            "order_date": "2026-03-02",
            "channel": "edi",
            "delivery_type": "standard",
            "status": "completed",
        },
        {
            "order_id": "O12",
            "customer_id": "",
            "order_date": "2026-03-02",
            "channel": "edi",
            "delivery_type": "standard",
            "status": "completed",
        },
        {
            "order_id": "O13",
            "customer_id": "C1",
            "order_date": "2026-03-02",
            "channel": "EDI",
            "delivery_type": "rush",
            "status": "completed",
        },
        {
            "order_id": "O13",
            "customer_id": "C2",
            "order_date": "2026-03-03",
            "channel": "edi",
            "delivery_type": "rush",
            "status": "completed",
        },
    ]
    deliver(landing / "orders" / "orders" / "more_orders.csv", orders, age=10)
    lines = [
        {
            "order_id": "O13",
            "line_number": "1",
            "product_id": "P1",
            "quantity": "-1",
            "unit_list_price": "1",
            "unit_net_price": "1",
        }
    ]
    deliver(landing / "orders" / "order_lines" / "more_lines.csv", lines, age=10)
    results = {Path(r.path).name: r for r in load_landing(con, landing)}

    assert rejects(con) == [
        ("orders/order_lines", "more_lines.csv", 2, "quantity", "out of range: must be > 0", "-1"),
        (
            "orders/orders",
            "more_orders.csv",
            2,
            "order_date",
            "not a date YYYY-MM-DD",
            "2026-13-01",
        ),
        (
            "orders/orders",
            "more_orders.csv",
            3,
            "channel",
            "not one of: field_sales, inside_sales, webshop, edi, phone",
            "fax",
        ),
        ("orders/orders", "more_orders.csv", 5, "customer_id", "missing required value", None),
        (
            "orders/orders",
            "more_orders.csv",
            7,
            "order_id",
            "duplicate key within file (first at row 6)",
            "order_id=O13",
        ),
    ]
    assert (
        results["more_orders.csv"].rows_read,
        results["more_orders.csv"].rows_loaded,
        results["more_orders.csv"].rows_rejected,
        results["more_orders.csv"].rows_held,
    ) == (6, 1, 4, 1)
    # an order of a customer the CRM has not delivered waits for it
    assert con.execute(
        "select _row_number, _held_column, _held_reason, _held_value from raw._held_orders__orders"
    ).fetchall() == [(4, "customer_id", "unknown customer", "NOPE")]
    assert "row 2, order_date: not a date YYYY-MM-DD" in results["more_orders.csv"].message
    # enum values are matched case-insensitively and stored in lower case
    assert con.execute(
        "select channel from raw.orders__orders where order_id = 'O13'"
    ).fetchall() == [("edi",)]


def test_a_score_outside_its_scale_is_rejected(con, tmp_path):
    """A rule the raw Great Expectations suites checked a second time; the loader is its
    one enforcer."""
    landing = write_tiny_landing(tmp_path / "landing")
    customers = [
        {
            "customer_id": cid,
            "customer_name": cid,
            "created_date": "2024-01-01",
            "kraljic_impact": score,
        }
        for cid, score in (("C8", "3"), ("C9", "9"))
    ]
    deliver(landing / "crm" / "customers" / "more_customers.csv", customers, age=10)
    load_landing(con, landing)
    assert rejects(con) == [
        (
            "crm/customers",
            "more_customers.csv",
            3,
            "kraljic_impact",
            "out of range: must be <= 5",
            "9",
        )
    ]
    assert con.execute(
        "select kraljic_impact from raw.crm__customers where customer_id in ('C8', 'C9')"
    ).fetchall() == [(3,)]


def test_missing_required_column_rejects_the_file_whole(con, tmp_path):
    landing = write_tiny_landing(tmp_path / "landing")
    rows = [
        {
            "order_id": "O20",
            "customer_id": "C1",
            "order_date": "2026-03-02",
            "channel": "edi",
            "status": "completed",
        }
    ]
    deliver(landing / "orders" / "orders" / "no_delivery_type.csv", rows, age=10)
    results = {Path(r.path).name: r for r in load_landing(con, landing)}
    result = results["no_delivery_type.csv"]
    assert result.status == "rejected"
    assert result.message.startswith("missing required column(s): delivery_type")
    assert ("orders/orders", "no_delivery_type.csv", None, None, result.message, None) in rejects(
        con
    )
    assert con.execute(
        "select count(*) from raw.orders__orders where order_id = 'O20'"
    ).fetchone() == (0,)


def test_the_file_delivered_last_wins(con, tmp_path):
    landing = write_tiny_landing(tmp_path / "landing")
    changed = [dict(TABLES["costs/products"][0], unit_standard_cost="61.5")]
    deliver(landing / "costs" / "products" / "b_old.csv", changed, age=20)
    deliver(
        landing / "costs" / "products" / "a_new.csv",
        [dict(TABLES["costs/products"][0], unit_standard_cost="62.25")],
        age=30,
    )
    load_landing(con, landing)
    assert con.execute(
        "select unit_standard_cost from raw.costs__products where product_id = 'P1'"
    ).fetchall() == [(62.25,)]


def test_column_names_match_case_insensitively_and_extra_columns_are_kept(con, tmp_path):
    landing = tmp_path / "landing"
    path = landing / "crm" / "customers" / "customers.csv"
    path.parent.mkdir(parents=True)
    path.write_text(
        "\ufeffCustomer_ID,CUSTOMER_NAME,created_date,favourite_colour\nC1,Acme,2020-01-01,blue\n"
    )
    (result,) = load_landing(con, landing)
    assert (result.rows_loaded, result.rows_rejected) == (1, 0)
    assert con.execute(
        "select customer_name, _extra_columns from raw.crm__customers"
    ).fetchall() == [("Acme", '{"favourite_colour":"blue"}')]


def test_european_dialect_is_accepted_when_set(con, tmp_path):
    landing = write_tiny_landing(tmp_path / "landing")
    (landing / "costs" / "dialect.json").write_text(
        json.dumps({"delimiter": ";", "decimal": ",", "date_format": "DD-MM-YYYY"})
    )
    path = landing / "costs" / "products" / "products.csv"
    path.write_text("product_id;product_name;unit_standard_cost\nP1;Bout;60,5\nP2;Pomp;200\n")
    load_landing(con, landing)
    assert con.execute(
        "select product_id, unit_standard_cost from raw.costs__products order by 1"
    ).fetchall() == [("P1", 60.5), ("P2", 200)]


def test_unreadable_file_is_rejected_with_its_encoding_named(con, tmp_path):
    landing = tmp_path / "landing"
    path = landing / "crm" / "customers" / "latin1.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        "customer_id,customer_name,created_date\nC1,Coöperatie,2020-01-01\n".encode("latin-1")
    )
    (result,) = load_landing(con, landing)
    assert result.status == "rejected"
    assert "not utf-8" in result.message and "dialect.json" in result.message
    (landing / "crm" / "dialect.json").write_text('{"encoding": "latin-1"}')
    path.write_bytes(
        "customer_id,customer_name,created_date\nC2,Coöperatie,2020-01-01\n".encode("latin-1")
    )
    (result,) = load_landing(con, landing)
    assert result.status == "loaded"
    assert con.execute("select customer_name from raw.crm__customers").fetchall() == [
        ("Coöperatie",)
    ]


def test_numbers_are_kept_as_written_at_the_edges_of_the_raw_precision(con, tmp_path):
    """Most numbers take a short path past the shape and precision checks (valuemap/
    loader/check.py: _Rules.fast); these values sit on either side of it. Spaces around
    a value are dropped, the Unicode ones too; a tab is not a space."""
    landing = write_tiny_landing(tmp_path / "landing")
    line = {"order_id": "O1", "product_id": "P1", "unit_list_price": "1", "unit_net_price": "1"}
    values = {  # line_number: (quantity, unit_net_price)
        "11": ("\u00a0 2.5\u2003", "12345678901234.1234"),  # spaces around; at the precision
        "12": ("0000000000000000012.50000", "1"),  # zeros that do not count
        "13": ("1.00001", "1"),  # a fifth decimal
        "14": ("1", "123456789012345"),  # 15 digits
        "15": ("\t3", "1"),
    }
    rows = [
        dict(line, line_number=number, quantity=quantity, unit_net_price=net)
        for number, (quantity, net) in values.items()
    ]
    rows.append(dict(line, line_number="999999999999999999", quantity="7"))  # 18 digits
    rows.append(dict(line, line_number="9999999999999999999", quantity="7"))  # 19: too large
    deliver(landing / "orders" / "order_lines" / "edges.csv", rows, age=10)
    load_landing(con, landing)
    assert con.execute(
        "select line_number, quantity, unit_net_price from raw.orders__order_lines"
        " where line_number > 10 order by 1"
    ).fetchall() == [
        (11, Decimal("2.5"), Decimal("12345678901234.1234")),
        (12, Decimal("12.5"), Decimal("1")),
        (999999999999999999, Decimal("7"), Decimal("1")),
    ]
    assert [r[2:5] for r in rejects(con)] == [
        (4, "quantity", "more than 4 decimals: it would be rounded"),
        (5, "unit_net_price", "too large: more than 14 digits before the decimal mark"),
        (6, "quantity", "not a number (decimal '.', thousands separator none; see dialect.json)"),
        (8, "line_number", "too large"),
    ]
