"""A nightly delta: one new day of orders (with their lines and deliveries), CRM
activities and complaints, delivered as new files beside the ones already loaded.

The new day repeats the last day of the data with new ids, one day later, so its volume
is a typical day's at any scale. Read and written by DuckDB, which filters the landing
files as it reads them (at 1M customers the order lines alone are 50M rows).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from valuemap.sql import quote_literal
from valuemap.warehouse import connect

# table: the query of its new day's rows (the last day's, with the day's prefix on their
# ids); {orders} and the like read a landing table, {last} is the last day, {day} the new one
_NEW_DAY = {
    "orders/orders": "select * replace ({new} || order_id as order_id, {day} as order_date)"
    " from {orders} where order_date = {last}",
    "orders/order_lines": "select * replace ({new} || order_id as order_id)"
    " from {order_lines} where order_id in (select order_id from {orders}"
    " where order_date = {last})",
    "orders/deliveries": "select * replace ({new} || delivery_id as delivery_id,"
    " {new} || order_id as order_id, {day} as delivery_date) from {deliveries}"
    " where order_id in (select order_id from {orders} where order_date = {last})",
    "crm/activities": "select * replace ({new} || activity_id as activity_id,"
    " {day} as activity_date) from {activities} where activity_date = {last}",
    # still open: no closed date
    "crm/complaints": "select * replace ({new} || complaint_id as complaint_id,"
    " {day} as opened_date, null as closed_date) from {complaints} where opened_date = {last}",
}


def write_next_day(landing: Path) -> dict[str, int]:
    """Write the day after the last order date; returns rows written per table."""
    names = {
        table.split("/")[1]: "read_csv("
        + quote_literal(str(landing / table / "*.csv"))
        + ", all_varchar = true, header = true)"
        for table in _NEW_DAY
    }
    with connect() as con:
        (last,) = con.execute(f"select max(order_date) from {names['orders']}").fetchone()
        day = (date.fromisoformat(last) + timedelta(days=1)).isoformat()
        values = {
            **names,
            "last": quote_literal(last),
            "day": quote_literal(day),
            "new": quote_literal(f"D{day.replace('-', '')}-"),
        }
        written = {}
        for table, query in _NEW_DAY.items():
            sql = query.format(**values)
            out = landing / table / f"{table.split('/')[1]}_{day}.csv"
            (written[table],) = con.execute(
                f"copy ({sql}) to {quote_literal(str(out))} (header)"
            ).fetchone()
    return written
