"""The peer: the core results computed in pandas straight from the landing files, as an
analyst would without this project. Cost to serve per customer, customer profitability
over the analysis window and the whale curve, by the same rules (docs/domain.md §1,
docs/contract.md), on clean data (no rejects, no redeliveries)."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ACTIVITY_DRIVERS = {
    "visit": "visits",
    "call": "call_minutes",
    "meeting": "meeting_minutes",
    "service": "service_minutes",
}


def _read(landing: Path, table: str, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    frames = [
        pd.read_csv(f, parse_dates=list(dates)) for f in sorted((landing / table).glob("*.csv"))
    ]
    return pd.concat(frames, ignore_index=True)


def _month(values: pd.Series) -> pd.Series:
    return values.dt.to_period("M").dt.to_timestamp()


def _events(frame: pd.DataFrame, month: pd.Series, driver: str, quantity) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": frame["customer_id"].to_numpy(),
            "month": month.to_numpy(),
            "driver": driver,
            "quantity": quantity,
        }
    )


def core_results(landing: Path) -> dict[str, pd.DataFrame]:
    """`window`: one row per customer of the analysis window (revenue, cost to serve, net
    profit); `curve`: the whale curve. Same grain and rounding as the marts."""
    orders = _read(landing, "orders/orders", ("order_date",))
    lines = _read(landing, "orders/order_lines")
    deliveries = _read(landing, "orders/deliveries", ("delivery_date",))
    returns = _read(landing, "orders/returns", ("return_date",))
    activities = _read(landing, "crm/activities", ("activity_date",))
    complaints = _read(landing, "crm/complaints", ("opened_date",))
    pools = _read(landing, "costs/resource_pools")
    cost_activities = _read(landing, "costs/activities")
    products = _read(landing, "costs/products")

    # revenue and COGS: completed orders in their month, credited returns in theirs
    completed = orders[orders["status"] == "completed"]
    sold = lines.merge(completed[["order_id", "customer_id", "order_date", "delivery_type"]])
    sold = sold.merge(products[["product_id", "unit_standard_cost"]])
    sales = pd.DataFrame(
        {
            "customer_id": sold["customer_id"],
            "month": _month(sold["order_date"]),
            "revenue": sold["quantity"] * sold["unit_net_price"],
            "cogs": sold["quantity"] * sold["unit_standard_cost"],
        }
    )
    returned = returns.merge(
        sold[["order_id", "line_number", "customer_id", "unit_net_price", "unit_standard_cost"]],
        on=["order_id", "line_number"],
        suffixes=("", "_line"),
    )
    credits = pd.DataFrame(
        {
            "customer_id": returned["customer_id"],
            "month": _month(returned["return_date"]),
            "revenue": -returned["quantity"] * returned["unit_net_price"],
            "cogs": -returned["quantity"] * returned["unit_standard_cost"],
        }
    )
    revenue = pd.concat([sales, credits]).groupby(["customer_id", "month"]).sum()

    # driver quantities per customer, month and driver
    completed = completed.assign(month=_month(completed["order_date"]))
    by_order = orders.set_index("order_id")["customer_id"]
    crm = activities[activities["activity_type"].isin(list(ACTIVITY_DRIVERS))]
    events = pd.concat(
        [
            _events(completed, completed["month"], "orders", 1),
            _events(sold, _month(sold["order_date"]), "order_lines", 1),
            _events(
                completed[completed["delivery_type"] == "rush"],
                completed.loc[completed["delivery_type"] == "rush", "month"],
                "rush_orders",
                1,
            ),
            completed[["customer_id", "month"]]
            .drop_duplicates()
            .assign(driver="customers", quantity=1),
            pd.DataFrame(
                {
                    "customer_id": by_order.reindex(deliveries["order_id"]).to_numpy(),
                    "month": _month(deliveries["delivery_date"]).to_numpy(),
                    "driver": "deliveries",
                    "quantity": 1,
                }
            ),
            pd.DataFrame(
                {
                    "customer_id": by_order.reindex(returns["order_id"]).to_numpy(),
                    "month": _month(returns["return_date"]).to_numpy(),
                    "driver": "returns",
                    "quantity": 1,
                }
            ),
            pd.DataFrame(
                {
                    "customer_id": crm["customer_id"].to_numpy(),
                    "month": _month(crm["activity_date"]).to_numpy(),
                    "driver": crm["activity_type"].map(ACTIVITY_DRIVERS).to_numpy(),
                    "quantity": np.where(
                        crm["activity_type"] == "visit", 1, crm["duration_minutes"]
                    ),
                }
            ),
            _events(complaints, _month(complaints["opened_date"]), "complaints", 1),
            _events(
                complaints,
                _month(complaints["opened_date"]),
                "complaint_minutes",
                complaints["handling_minutes"].to_numpy(),
            ),
        ]
    )
    quantities = events.groupby(["customer_id", "month", "driver"], as_index=False)[
        "quantity"
    ].sum()
    totals = quantities.groupby(["month", "driver"], as_index=False)["quantity"].sum()

    # activity rates: time-driven pools by capacity minutes, the others by pool share
    pools = pools.assign(month=pd.to_datetime(pools["period"] + "-01"))
    rates = pools.merge(cost_activities, on="pool_id").merge(
        totals.rename(columns={"quantity": "total"}), on=["month", "driver"], how="left"
    )
    rates["total"] = rates["total"].fillna(0)
    time_driven = rates["practical_capacity_minutes"].notna()
    rates["used"] = np.where(time_driven, rates["total"] * rates["unit_minutes"].fillna(0), 0)
    used = rates.groupby(["pool_id", "month"])["used"].transform("sum")
    divisor = np.maximum(rates["practical_capacity_minutes"], used)
    rates["rate"] = np.where(
        rates["driver"] == "none",
        np.nan,
        np.where(
            time_driven,
            rates["unit_minutes"] * rates["cost_amount"] / divisor,
            np.where(
                rates["total"] > 0,
                rates["cost_amount"]
                * rates["pool_share"].fillna(0)
                / rates["total"].where(rates["total"] > 0),
                np.nan,
            ),
        ),
    )
    charged = quantities.merge(rates.loc[rates["rate"].notna(), ["month", "driver", "rate"]])
    charged["cost_to_serve"] = charged["quantity"] * charged["rate"]
    cost = charged.groupby(["customer_id", "month"])[["cost_to_serve"]].sum()

    # profitability over the analysis window: the 12 complete months up to the last order
    monthly = revenue.join(cost, how="outer").fillna(0).reset_index()
    end = (orders["order_date"].max() + pd.Timedelta(days=1)).to_period("M").to_timestamp()
    start = end - pd.DateOffset(months=12)
    in_window = monthly[(monthly["month"] >= start) & (monthly["month"] < end)]
    window = in_window.groupby("customer_id")[["revenue", "cogs", "cost_to_serve"]].sum()
    window["net_profit"] = window["revenue"] - window["cogs"] - window["cost_to_serve"]

    # the whale curve: highest profit first, ties by customer
    curve = window.reset_index().sort_values(["net_profit", "customer_id"], ascending=[False, True])
    curve["profit_rank"] = np.arange(1, len(curve) + 1)
    curve["cumulative_customer_pct"] = (100.0 * curve["profit_rank"] / len(curve)).round(4)
    total = curve["net_profit"].sum()
    curve["cumulative_profit_pct"] = (100.0 * curve["net_profit"].cumsum() / total).round(4)
    return {"window": window, "curve": curve.set_index("customer_id")}


def main() -> None:
    parser = argparse.ArgumentParser(description="The core results in pandas (benchmarks/peer.py)")
    parser.add_argument("--landing", required=True)
    parser.add_argument("--out", required=True, help="folder for window.parquet and curve.parquet")
    args = parser.parse_args()
    results = core_results(Path(args.landing))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in results.items():
        frame.to_parquet(out / f"{name}.parquet")


if __name__ == "__main__":
    main()
