"""The demo generator writes customers in chunks (valuemap/generate.py): rows about
different chunks must still refer to each other correctly, as one big draw would."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import valuemap.generate as generator
from valuemap.generate import Scale, generate


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(generator, "CHUNK_CUSTOMERS", 40)  # 250 customers: 7 chunks
        counts = generate(out, Scale(customers=250, months=12))
    (out / "counts").mkdir()
    for table, rows in counts.items():
        (out / "counts" / table.replace("/", "__")).write_text(str(rows))
    return out


def query(landing: Path, sql: str) -> list[tuple]:
    with duckdb.connect() as con:
        for path in landing.glob("*/*/*.csv"):
            con.execute(
                f"create view {path.parent.parent.name}__{path.parent.name} as"
                f" select * from read_csv('{path}', all_varchar = true)"
            )
        return con.execute(sql).fetchall()


def test_every_row_is_written_once_with_its_own_id(landing: Path) -> None:
    for table, key in (
        ("crm__customers", "customer_id"),
        ("crm__contacts", "contact_id"),
        ("orders__orders", "order_id"),
        ("orders__order_lines", "order_id || '/' || line_number"),
        ("orders__deliveries", "delivery_id"),
        ("crm__activities", "activity_id"),
        ("crm__opportunities", "opportunity_id"),
    ):
        ((rows, keys),) = query(landing, f"select count(*), count(distinct {key}) from {table}")
        assert rows == keys == int((landing / "counts" / table).read_text()), table
    assert query(landing, "select min(customer_id), max(customer_id) from crm__customers") == [
        ("C0000001", "C0000250")
    ]


def test_rows_refer_to_rows_of_their_own_customer(landing: Path) -> None:
    """References across chunks: an activity's contact works for the activity's customer,
    a line's order exists, a referral names an earlier customer."""
    checks = {
        "activities with a contact of another customer": "select count(*) from crm__activities a"
        " join crm__contacts c using (contact_id) where a.customer_id <> c.customer_id",
        "buying center members of another customer": "select count(*) from crm__buying_center b"
        " join crm__opportunities o using (opportunity_id) join crm__contacts c"
        " using (contact_id) where o.customer_id <> c.customer_id",
        "lines without an order": "select count(*) from orders__order_lines"
        " where order_id not in (select order_id from orders__orders)",
        "referrals to a later or unknown customer": "select count(*) from crm__customers c"
        " where referred_by_customer_id is not null and (referred_by_customer_id >= customer_id"
        " or referred_by_customer_id not in (select customer_id from crm__customers))",
    }
    for what, sql in checks.items():
        assert query(landing, sql) == [(0,)], what
    ((referrals,),) = query(
        landing, "select count(*) from crm__customers where referred_by_customer_id is not null"
    )
    assert referrals > 0


def test_the_ledger_follows_the_volumes_of_every_chunk(landing: Path) -> None:
    """The account administration pool costs 15 per customer with a completed order in the
    month, plus 500: summed over all chunks."""
    rows = query(
        landing,
        "select p.period, p.cost_amount::double, count(distinct o.customer_id)"
        " from costs__resource_pools p join orders__orders o"
        " on strftime(o.order_date::date, '%Y-%m') = p.period and o.status = 'completed'"
        " where p.pool_id = 'P_ADMIN' group by all",
    )
    assert len(rows) == 12
    for period, cost, customers in rows:
        assert cost == 15.0 * customers + 500, period
