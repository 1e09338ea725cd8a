"""A nightly delta: one new day of orders (with their lines and deliveries), CRM
activities and complaints, delivered as new files beside the ones already loaded.

The new day repeats the last day of the data with new ids, one day later, so its volume
is a typical day's at any scale.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd


def _read(landing: Path, table: str) -> pd.DataFrame:
    files = sorted((landing / table).glob("*.csv"))
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files])


def _write(landing: Path, table: str, frame: pd.DataFrame, day: str) -> int:
    name = table.split("/")[1]
    frame.to_csv(landing / table / f"{name}_{day}.csv", index=False)
    return len(frame)


def write_next_day(landing: Path) -> dict[str, int]:
    """Write the day after the last order date; returns rows written per table."""
    orders = _read(landing, "orders/orders")
    last = max(orders["order_date"])
    day = (pd.Timestamp(last) + timedelta(days=1)).strftime("%Y-%m-%d")
    new_id = f"D{day.replace('-', '')}-"

    orders = orders[orders["order_date"] == last].copy()
    ids = set(orders["order_id"])
    lines = _read(landing, "orders/order_lines")
    lines = lines[lines["order_id"].isin(ids)].copy()
    deliveries = _read(landing, "orders/deliveries")
    deliveries = deliveries[deliveries["order_id"].isin(ids)].copy()
    for frame in (orders, lines, deliveries):
        frame["order_id"] = new_id + frame["order_id"]
    orders["order_date"] = day
    deliveries["delivery_id"] = new_id + deliveries["delivery_id"]
    deliveries["delivery_date"] = day

    activities = _read(landing, "crm/activities")
    activities = activities[activities["activity_date"] == last].copy()
    activities["activity_id"] = new_id + activities["activity_id"]
    activities["activity_date"] = day

    complaints = _read(landing, "crm/complaints")
    complaints = complaints[complaints["opened_date"] == last].copy()
    complaints["complaint_id"] = new_id + complaints["complaint_id"]
    complaints["opened_date"] = day
    complaints["closed_date"] = ""  # still open

    return {
        "orders/orders": _write(landing, "orders/orders", orders, day),
        "orders/order_lines": _write(landing, "orders/order_lines", lines, day),
        "orders/deliveries": _write(landing, "orders/deliveries", deliveries, day),
        "crm/activities": _write(landing, "crm/activities", activities, day),
        "crm/complaints": _write(landing, "crm/complaints", complaints, day),
    }
