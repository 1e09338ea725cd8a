"""Deterministic demo landing data that follows the contract (docs/contract.md).

The shape is built for the analyses: customer size is lognormal (a minority brings
most revenue), big customers buy bigger quantities per line at a bigger discount,
while attention (visits, calls) is only loosely tied to size, and one customer in
six is demanding: it rushes, returns, complains and asks for attention. Small and
demanding customers therefore cost more to serve than they bring, and the whale
curve peaks well above 100%.

Volume: about 1.4 order lines per customer and month, so 200k customers over
36 months give about 10M order lines.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

DEFAULT_END_DATE = date(2026, 10, 31)
# What write_manifest writes beside the landing folders: the scale and the rows per table.
MANIFEST_NAME = "_generated.json"
# Written in that manifest; a new version draws other data for the same scale and seed
# (2: customers in chunks, each from its own random stream).
GENERATOR_VERSION = 2

FIRST_NAMES = "Anna Bram Carla Daan Eva Fleur Gert Hanna Ingrid Jan Kees Lotte Mark Noor Olaf Pim Ruud Sanne Tom Wim".split()
LAST_NAMES = "Bakker Jansen Visser Smit Meijer Mulder Bos Vos Peters Hendriks Dekker Brouwer Dijkstra Kok Vermeulen".split()
NAME_PARTS = (
    "Noord Zuid Oost West Delta Polder Rijn Maas Kempen Veluwe Haven Duin Groen Stad Land".split()
)
NAME_KINDS = "Techniek Installaties Bouw Logistiek Zorg Foods Metaal Energie Groep Handel".split()
INDUSTRIES = "construction healthcare food logistics energy metal retail public".split()
COUNTRIES = ["NL", "NL", "NL", "BE", "BE", "DE"]
ACCOUNT_MANAGERS = ["am01", "am02", "am03", "am04", "am05", "am06"]
EXIT_REASONS = {  # share of lost customers naming the reason (course slide 13)
    "no_attention": 0.92,
    "no_initiative": 0.88,
    "broken_agreements": 0.81,
    "not_expert": 0.77,
    "no_thinking_along": 0.76,
    "unfair_treatment": 0.68,
    "price": 0.17,
}

# Cost pools: (pool_id, name, kind, cost per driver-unit or minute, capacity headroom)
# and their activities: (activity_id, name, pool_id, driver, unit_minutes, pool_share).
ACTIVITIES = [
    ("A_ORDER", "Process order", "P_CS", "orders", 6.0, None),
    ("A_LINE", "Enter order line", "P_CS", "order_lines", 1.5, None),
    ("A_RETURN", "Handle return", "P_CS", "returns", 25.0, None),
    ("A_VISIT", "Sales visit (incl. travel)", "P_SALES", "visits", 150.0, None),
    ("A_CALL", "Sales call", "P_SALES", "call_minutes", 1.0, None),
    ("A_MEETING", "Customer meeting", "P_SALES", "meeting_minutes", 1.0, None),
    ("A_COMPLAINT", "Register complaint", "P_CARE", "complaints", 20.0, None),
    ("A_COMPLAINT_TIME", "Handle complaint", "P_CARE", "complaint_minutes", 1.0, None),
    ("A_SERVICE", "Service call", "P_CARE", "service_minutes", 1.0, None),
    ("A_PICK", "Pick and pack", "P_WAREHOUSE", "order_lines", None, 0.55),
    ("A_SHIP", "Ship delivery", "P_WAREHOUSE", "deliveries", None, 0.35),
    ("A_RUSH", "Rush handling", "P_WAREHOUSE", "rush_orders", None, 0.10),
    ("A_ACCOUNT", "Maintain customer account", "P_ADMIN", "customers", None, 1.0),
    ("A_FACILITY", "General management and facilities", "P_FACILITY", "none", None, 1.0),
]
# The cost drivers whose monthly volumes size the ledger (ACTIVITIES' drivers but "none").
DRIVERS = (
    "orders",
    "order_lines",
    "deliveries",
    "rush_orders",
    "returns",
    "visits",
    "call_minutes",
    "meeting_minutes",
    "service_minutes",
    "complaints",
    "complaint_minutes",
    "customers",
)
TIME_DRIVEN_POOLS = {  # pool: (name, cost per capacity minute, capacity / used minutes)
    "P_CS": ("Customer service", 0.80, 1.25),
    "P_SALES": ("Field and inside sales", 1.30, 1.15),
    "P_CARE": ("Customer care", 0.90, 1.30),
}


# Customer size is lognormal(0, SIZE_SIGMA); SIZE_MEAN is its mean, exp(sigma^2 / 2).
SIZE_SIGMA = 1.25
SIZE_MEAN = math.exp(SIZE_SIGMA**2 / 2)
# Customers drawn and written at a time: the generator's memory follows this, not the scale.
CHUNK_CUSTOMERS = 10_000


@dataclass(frozen=True)
class _People:
    """Per-customer and per-contact arrays the CRM tables are drawn from."""

    customer_ids: np.ndarray
    contact_ids: np.ndarray
    first_contact: np.ndarray  # index of each customer's first contact
    contacts_per: np.ndarray
    churn_month: np.ndarray  # month index the customer stops ordering (>= months: never)


@dataclass(frozen=True)
class Scale:
    customers: int = 2000
    months: int = 36
    seed: int = 42
    end_date: date = DEFAULT_END_DATE


def _month_starts(scale: Scale) -> np.ndarray:
    end_month = np.datetime64(scale.end_date, "M")
    return np.arange(end_month - scale.months + 1, end_month + 1)


def _random_days(rng: np.random.Generator, months: np.ndarray) -> np.ndarray:
    """A random day within each given month (datetime64[M] in, datetime64[D] out)."""
    first = months.astype("datetime64[D]")
    length = ((months + 1).astype("datetime64[D]") - first).astype(int)
    return first + (rng.random(len(months)) * length).astype(int)


def _ids(prefix: str, numbers: np.ndarray) -> np.ndarray:
    """Identifiers such as C0000042, for the numbers 42, ..."""
    return np.char.add(prefix, np.char.zfill(np.asarray(numbers).astype(str), 7))


def _arrow_table(columns: dict[str, np.ndarray | list]) -> pa.Table:
    arrays = {}
    for name, values in columns.items():
        values = np.asarray(values)
        if values.dtype.kind == "M":
            arrays[name] = pa.array(values.astype("datetime64[D]"))
        elif values.dtype.kind == "f":
            arrays[name] = pa.array(np.round(values, 4), mask=np.isnan(values))
        else:
            arrays[name] = pa.array(values)
    return pa.table(arrays)


class _Landing:
    """The landing CSV files being written, a chunk of rows at a time: one file per
    table, its header first."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.writers: dict[str, pacsv.CSVWriter] = {}
        self.schemas: dict[str, pa.Schema] = {}  # of each file, from its first rows
        self.empty: dict[str, pa.Table] = {}  # tables without rows so far
        self.counts: dict[str, int] = {}

    def append(self, source: str, table: str, columns: dict[str, np.ndarray | list]) -> None:
        key, data = f"{source}/{table}", _arrow_table(columns)
        self.counts[key] = self.counts.get(key, 0) + data.num_rows
        if data.num_rows == 0:  # the columns of no rows may have no type yet
            self.empty.setdefault(key, data)
            return
        writer = self.writers.get(key)
        if writer is None:
            folder = self.out / source / table
            folder.mkdir(parents=True, exist_ok=True)
            writer = self.writers[key] = pacsv.CSVWriter(folder / f"{table}.csv", data.schema)
            self.schemas[key] = data.schema
        elif data.schema != self.schemas[key]:
            data = data.cast(self.schemas[key])
        writer.write_table(data)

    def close(self) -> dict[str, int]:
        """Finish every file (a table without rows gets its header); rows per table."""
        for writer in self.writers.values():
            writer.close()
        for key, data in self.empty.items():
            if key not in self.writers:
                folder = self.out / key
                folder.mkdir(parents=True, exist_ok=True)
                pacsv.write_csv(data, folder / f"{folder.name}.csv")
        return self.counts


@dataclass(frozen=True)
class _Products:
    ids: np.ndarray
    list_price: np.ndarray
    popularity: np.ndarray  # the probability of each product on an order line


@dataclass
class _Numbering:
    """The last number given to each kind of row, across chunks."""

    contacts: int = 0
    orders: int = 0
    deliveries: int = 0
    returns: int = 0
    activities: int = 0
    complaints: int = 0
    responses: int = 0
    opportunities: int = 0

    def take(self, kind: str, count: int) -> np.ndarray:
        """The next `count` numbers of a kind (from 1)."""
        first = getattr(self, kind) + 1
        setattr(self, kind, first - 1 + count)
        return np.arange(first, first + count)


def generate(out: Path, scale: Scale = Scale()) -> dict[str, int]:
    """Write the demo landing folder; returns row counts per table.

    Customers are drawn in chunks of CHUNK_CUSTOMERS, each chunk from its own random
    stream (the seed and the chunk's number), together with every row about them (CRM,
    orders and what follows from them); each file grows chunk by chunk. So the memory it
    takes does not grow with the scale, and the data depends only on the seed, the
    number of customers and the months."""
    months = _month_starts(scale)
    landing = _Landing(out)
    products = _write_products(landing, np.random.default_rng([scale.seed, 0]), scale.customers)
    numbering = _Numbering()
    drivers = {driver: np.zeros(len(months)) for driver in DRIVERS}
    for first in range(0, scale.customers, CHUNK_CUSTOMERS):
        chunk = np.arange(first, min(first + CHUNK_CUSTOMERS, scale.customers))
        rng = np.random.default_rng([scale.seed, 1 + first // CHUNK_CUSTOMERS])
        _write_customers(landing, rng, scale, months, chunk, products, numbering, drivers)
    _write_costs(landing, months, drivers)
    return landing.close()


def _write_products(landing: _Landing, rng: np.random.Generator, customers: int) -> _Products:
    n_products = int(np.clip(customers // 10, 200, 2000))
    product_cost = np.round(rng.lognormal(4.0, 0.8, n_products), 2)
    list_price = np.round(product_cost * rng.uniform(1.45, 2.2, n_products), 2)
    ids = _ids("SKU", np.arange(1, n_products + 1))
    landing.append(
        "costs",
        "products",
        {
            "product_id": ids,
            "product_name": [f"Product {i + 1}" for i in range(n_products)],
            "category": rng.choice(["parts", "tools", "consumables", "systems"], n_products),
            "unit_standard_cost": product_cost,
        },
    )
    popularity = 1.0 / np.arange(1, n_products + 1) ** 0.8
    return _Products(ids, list_price, popularity / popularity.sum())


def _size_rank(size: np.ndarray) -> np.ndarray:
    """Where each size falls among all customers' (0 smallest .. 1 largest): the
    lognormal's distribution function, so that a chunk needs no other chunk's sizes."""
    erf = np.vectorize(math.erf)
    return 0.5 * (1 + erf(np.log(size) / (SIZE_SIGMA * math.sqrt(2))))


def _write_customers(
    landing: _Landing,
    rng: np.random.Generator,
    scale: Scale,
    months: np.ndarray,
    chunk: np.ndarray,
    products: _Products,
    numbering: _Numbering,
    drivers: dict[str, np.ndarray],
) -> None:
    """One chunk of customers (their indexes from 0 in `chunk`) and every row about them;
    adds their driver volumes per month to `drivers`."""
    n, m = len(chunk), len(months)

    # ---- customers: size, behaviour, lifetime
    size = rng.lognormal(0.0, SIZE_SIGMA, n)
    size_rank = _size_rank(size)
    first_month = np.where(rng.random(n) < 0.6, 0, rng.integers(0, m, n))
    churn_month = np.where(rng.random(n) < 0.15, rng.integers(0, m, n) + 6, m + 999)
    last_month = np.minimum(np.maximum(churn_month, first_month + 3), m + 999)
    order_rate = 0.63 * size / SIZE_MEAN + 0.02
    lines_mu = rng.uniform(0.5, 3.06, n)
    qty_mu = 1.0 + 3.0 * np.sqrt(size)
    discount = np.clip(0.05 + 0.25 * size_rank + rng.normal(0, 0.03, n), 0, 0.4)
    # One customer in six is demanding: rushes, returns, complains and wants attention.
    demanding = np.where(rng.random(n) < 1 / 6, 4.0, 1.0)
    rush_share = np.clip(rng.beta(0.6, 6, n) * demanding, 0, 0.9)
    return_rate = np.clip(rng.beta(0.5, 25, n) * demanding, 0, 0.5)
    attention = 0.65 * size**0.2 * rng.lognormal(-1.0, 1.0, n) * demanding  # visits/month
    complaint_rate = rng.beta(0.5, 8, n) * 0.5 * demanding
    customer_ids = _ids("C", chunk + 1)
    created = np.where(
        first_month == 0,
        months[0].astype("datetime64[D]") - rng.integers(30, 3000, n),
        _random_days(rng, months[np.minimum(first_month, m - 1)]),
    )
    # referred by a customer with a lower number (in this chunk or an earlier one)
    referred = np.where(
        (rng.random(n) < 0.12) & (chunk > 0),
        _ids("C", 1 + (rng.random(n) * np.maximum(chunk, 1)).astype(int)),
        "",
    )

    def score(low: int, high: int, missing: float) -> np.ndarray:
        values = rng.integers(low, high + 1, n).astype(float)
        values[rng.random(n) < missing] = np.nan
        return values

    yearly_revenue_guess = order_rate * 12 * (1 + lines_mu) * qty_mu * 60
    landing.append(
        "crm",
        "customers",
        {
            "customer_id": customer_ids,
            "customer_name": [
                f"{NAME_PARTS[i % 15]} {NAME_KINDS[(i // 15) % 10]} {i + 1}" for i in chunk
            ],
            "country": rng.choice(COUNTRIES, n),
            "industry": rng.choice(INDUSTRIES, n),
            "account_manager": rng.choice(ACCOUNT_MANAGERS, n),
            "created_date": created,
            "referred_by_customer_id": referred,
            "sales_potential": np.round(yearly_revenue_guess * rng.uniform(1.0, 4.0, n), 0),
            "strategic_learning": score(0, 5, 0.1),
            "strategic_reputation": score(0, 5, 0.1),
            "strategic_bridgehead": score(0, 5, 0.1),
            "strategic_network": score(0, 5, 0.1),
            "strategic_ambassador": score(0, 5, 0.1),
            "synergy_culture": score(0, 5, 0.1),
            "synergy_relationship": score(0, 5, 0.1),
            "kraljic_impact": score(1, 5, 0.05),
            "kraljic_replaceability": score(1, 5, 0.05),
        },
    )

    # ---- contacts (PII)
    contacts_per = rng.integers(1, 5, n)
    contact_customer = np.repeat(np.arange(n), contacts_per)
    k = len(contact_customer)
    first = rng.choice(FIRST_NAMES, k)
    last = rng.choice(LAST_NAMES, k)
    contact_ids = _ids("P", numbering.take("contacts", k))
    landing.append(
        "crm",
        "contacts",
        {
            "contact_id": contact_ids,
            "customer_id": customer_ids[contact_customer],
            "full_name": np.char.add(np.char.add(first, " "), last),
            "email": np.char.add(
                np.char.add(np.char.lower(first), "."),
                np.char.add(np.char.lower(last), "@example.com"),
            ),
            "phone": np.char.add("+31 6 ", rng.integers(10000000, 99999999, k).astype(str)),
            "job_title": rng.choice(["buyer", "director", "engineer", "planner", "controller"], k),
        },
    )
    first_contact = np.concatenate([[0], np.cumsum(contacts_per)[:-1]])  # in contact_ids

    # ---- active customer-months
    month_index = np.arange(m)
    active = (month_index[None, :] >= first_month[:, None]) & (
        month_index[None, :] < last_month[:, None]
    )
    cust_m, month_m = np.nonzero(active)

    # ---- orders
    orders_per = rng.poisson(order_rate[cust_m])
    o_cust = np.repeat(cust_m, orders_per)
    o_month = np.repeat(month_m, orders_per)
    n_orders = len(o_cust)
    order_ids = _ids("O", numbering.take("orders", n_orders))
    order_date = _random_days(rng, months[o_month])
    is_rush = rng.random(n_orders) < rush_share[o_cust]
    is_completed = rng.random(n_orders) >= 0.03
    channel_pref = rng.integers(0, 5, n)
    channels = np.array(["field_sales", "inside_sales", "webshop", "edi", "phone"])
    channel = np.where(
        rng.random(n_orders) < 0.7, channel_pref[o_cust], rng.integers(0, 5, n_orders)
    )
    landing.append(
        "orders",
        "orders",
        {
            "order_id": order_ids,
            "customer_id": customer_ids[o_cust],
            "order_date": order_date,
            "channel": channels[channel],
            "delivery_type": np.where(is_rush, "rush", "standard"),
            "status": np.where(is_completed, "completed", "cancelled"),
        },
    )

    # ---- order lines
    lines_per = 1 + rng.poisson(lines_mu[o_cust])
    l_order = np.repeat(np.arange(n_orders), lines_per)
    n_lines = len(l_order)
    line_number = np.arange(n_lines) - np.repeat(np.cumsum(lines_per) - lines_per, lines_per) + 1
    l_product = rng.choice(len(products.ids), n_lines, p=products.popularity)
    l_cust = o_cust[l_order]
    quantity = 1 + rng.poisson(qty_mu[l_cust])
    unit_list = products.list_price[l_product]
    unit_net = np.round(unit_list * (1 - discount[l_cust]), 2)
    landing.append(
        "orders",
        "order_lines",
        {
            "order_id": order_ids[l_order],
            "line_number": line_number,
            "product_id": products.ids[l_product],
            "quantity": quantity.astype(float),
            "unit_list_price": unit_list,
            "unit_net_price": unit_net,
        },
    )

    # ---- deliveries: completed orders, 10% split into two shipments
    end = np.datetime64(scale.end_date)
    done = np.nonzero(is_completed)[0]
    shipments = np.where(rng.random(len(done)) < 0.10, 2, 1)
    d_order = np.repeat(done, shipments)
    lead = np.where(
        is_rush[d_order], rng.integers(0, 2, len(d_order)), rng.integers(1, 6, len(d_order))
    )
    d_date = np.minimum(order_date[d_order] + lead, end)
    landing.append(
        "orders",
        "deliveries",
        {
            "delivery_id": _ids("D", numbering.take("deliveries", len(d_order))),
            "order_id": order_ids[d_order],
            "delivery_date": d_date,
        },
    )

    # ---- returns: lines of completed orders, returned before the end of the data
    returned = is_completed[l_order] & (rng.random(n_lines) < return_rate[l_cust])
    r_line = np.nonzero(returned)[0]
    r_date = order_date[l_order[r_line]] + rng.integers(5, 30, len(r_line))
    keep = r_date <= end
    r_line, r_date = r_line[keep], r_date[keep]
    landing.append(
        "orders",
        "returns",
        {
            "return_id": _ids("R", numbering.take("returns", len(r_line))),
            "order_id": order_ids[l_order[r_line]],
            "line_number": line_number[r_line],
            "return_date": r_date,
            "quantity": np.ceil(quantity[r_line] * rng.uniform(0.1, 1.0, len(r_line))),
            "reason": rng.choice(["damaged", "wrong item", "not needed", ""], len(r_line)),
        },
    )

    # ---- CRM activities: attention only loosely tied to size
    kinds = [  # (type, rate per month as a multiple of attention, minutes low, high, role)
        ("visit", 1.0, 60, 180, "account_manager"),
        ("call", 1.5, 5, 40, "inside_sales"),
        ("email", 1.0, 5, 15, "inside_sales"),
        ("meeting", 0.3, 30, 120, "director"),
        ("service", 0.6, 15, 90, "service"),
        ("quote", 0.4, 20, 60, "inside_sales"),
    ]
    parts = []
    for kind, rate, low, high, role in kinds:
        per = rng.poisson(attention[cust_m] * rate)
        a_cust = np.repeat(cust_m, per)
        parts.append((kind, a_cust, np.repeat(month_m, per), low, high, role))
    a_cust = np.concatenate([p[1] for p in parts])
    a_month = np.concatenate([p[2] for p in parts])
    a_type = np.concatenate([np.full(len(p[1]), p[0]) for p in parts])
    a_minutes = np.concatenate([rng.integers(p[3], p[4] + 1, len(p[1])) for p in parts])
    a_role = np.concatenate([np.full(len(p[1]), p[5]) for p in parts])
    n_act = len(a_cust)
    a_contact = first_contact[a_cust] + (rng.random(n_act) * contacts_per[a_cust]).astype(int)
    landing.append(
        "crm",
        "activities",
        {
            "activity_id": _ids("A", numbering.take("activities", n_act)),
            "customer_id": customer_ids[a_cust],
            "contact_id": contact_ids[a_contact],
            "activity_type": a_type,
            "activity_date": _random_days(rng, months[a_month]),
            "duration_minutes": a_minutes,
            "employee_role": a_role,
        },
    )

    # ---- complaints
    per = rng.poisson(complaint_rate[cust_m])
    c_cust, c_month = np.repeat(cust_m, per), np.repeat(month_m, per)
    opened = _random_days(rng, months[c_month])
    closed = opened + rng.integers(0, 30, len(c_cust))
    handling_minutes = rng.integers(20, 300, len(c_cust))
    landing.append(
        "crm",
        "complaints",
        {
            "complaint_id": _ids("Q", numbering.take("complaints", len(c_cust))),
            "customer_id": customer_ids[c_cust],
            "opened_date": opened,
            "closed_date": np.where(closed <= end, closed.astype(str), ""),
            "category": rng.choice(["delivery", "quality", "invoice", "service"], len(c_cust)),
            "handling_minutes": handling_minutes,
        },
    )

    people = _People(customer_ids, contact_ids, first_contact, contacts_per, churn_month)
    _write_surveys_and_exits(landing, rng, months, people, numbering)
    _write_opportunities(landing, rng, months, people, numbering)

    volumes = {
        "orders": np.bincount(o_month[is_completed], minlength=m),
        "order_lines": np.bincount(o_month[l_order][is_completed[l_order]], minlength=m),
        "deliveries": np.bincount(
            (d_date.astype("datetime64[M]") - months[0]).astype(int), minlength=m
        )[:m],
        "rush_orders": np.bincount(o_month[is_completed & is_rush], minlength=m),
        "returns": np.bincount(
            (r_date.astype("datetime64[M]") - months[0]).astype(int), minlength=m
        )[:m],
        "visits": np.bincount(a_month[a_type == "visit"], minlength=m),
        "call_minutes": np.bincount(a_month[a_type == "call"], a_minutes[a_type == "call"], m),
        "meeting_minutes": np.bincount(
            a_month[a_type == "meeting"], a_minutes[a_type == "meeting"], m
        ),
        "service_minutes": np.bincount(
            a_month[a_type == "service"], a_minutes[a_type == "service"], m
        ),
        "complaints": np.bincount(c_month, minlength=m),
        "complaint_minutes": np.bincount(c_month, handling_minutes, m),
        # customers with a completed order in the month
        "customers": np.bincount(
            np.unique(o_cust[is_completed] * m + o_month[is_completed]) % m, minlength=m
        ),
    }
    for driver, volume in volumes.items():
        drivers[driver] += volume


def _write_surveys_and_exits(
    landing: _Landing,
    rng: np.random.Generator,
    months: np.ndarray,
    people: _People,
    numbering: _Numbering,
) -> None:
    customer_ids, contact_ids = people.customer_ids, people.contact_ids
    first_contact, churn_month = people.first_contact, people.churn_month
    n, m = len(customer_ids), len(months)
    surveyed = np.nonzero(rng.random(n) < 0.4)[0]
    dims = np.array(["product", "relationship", "process", "price", "overall"])
    s_cust = np.repeat(surveyed, len(dims))
    s_dim = np.tile(dims, len(surveyed))
    k = len(s_cust)
    expectation = rng.integers(3, 6, k)
    experience = np.clip(expectation + rng.integers(-2, 2, k), 1, 5)
    survey_date = np.repeat(_random_days(rng, months[np.full(len(surveyed), m - 3)]), len(dims))
    landing.append(
        "crm",
        "surveys",
        {
            "response_id": _ids("S", numbering.take("responses", k)),
            "customer_id": customer_ids[s_cust],
            "contact_id": contact_ids[first_contact[s_cust]],
            "survey_date": survey_date,
            "dimension": s_dim,
            "expectation": expectation,
            "experience": experience,
            "repurchase_intent": np.clip(experience + rng.integers(-1, 2, k), 1, 5),
            "recommend": np.clip(experience * 2 + rng.integers(-2, 1, k), 0, 10),
        },
    )
    lost = np.nonzero((churn_month < m) & (rng.random(n) < 0.6))[0]
    rows = [
        (c, reason) for c in lost for reason, share in EXIT_REASONS.items() if rng.random() < share
    ]
    e_cust = np.array([r[0] for r in rows], dtype=int)
    landing.append(
        "crm",
        "exit_interviews",
        {
            "customer_id": customer_ids[e_cust],
            "interview_date": months[np.minimum(churn_month[e_cust], m - 1)].astype("datetime64[D]")
            + 14,
            "reason": np.array([r[1] for r in rows], dtype=str),
            "notes": np.full(len(rows), ""),
        },
    )


def _write_opportunities(
    landing: _Landing,
    rng: np.random.Generator,
    months: np.ndarray,
    people: _People,
    numbering: _Numbering,
) -> None:
    customer_ids, contact_ids = people.customer_ids, people.contact_ids
    first_contact, contacts_per = people.first_contact, people.contacts_per
    n, m = len(customer_ids), len(months)
    per = rng.integers(0, 3, n)
    o_cust = np.repeat(np.arange(n), per)
    k = len(o_cust)
    created = _random_days(rng, months[rng.integers(max(m - 12, 0), m, k)])
    status = rng.choice(["open", "won", "lost"], k, p=[0.5, 0.3, 0.2])
    close = created + rng.integers(20, 120, k)
    numbers = numbering.take("opportunities", k)
    opp_ids = _ids("OP", numbers)
    landing.append(
        "crm",
        "opportunities",
        {
            "opportunity_id": opp_ids,
            "customer_id": customer_ids[o_cust],
            "name": np.char.add("Proposal ", numbers.astype(str)),
            "stage": np.where(
                status == "open", rng.choice(["qualify", "propose", "negotiate"], k), "closed"
            ),
            "amount": np.round(rng.lognormal(9, 1, k), 0),
            "created_date": created,
            "close_date": np.where(status == "open", "", close.astype(str)),
            "status": status,
        },
    )
    # buying center: every contact of the customer takes part
    members = contacts_per[o_cust]
    b_opp = np.repeat(np.arange(k), members)
    b_contact = np.repeat(first_contact[o_cust], members) + (
        np.arange(len(b_opp)) - np.repeat(np.cumsum(members) - members, members)
    )
    j = len(b_opp)
    landing.append(
        "crm",
        "buying_center",
        {
            "opportunity_id": opp_ids[b_opp],
            "contact_id": contact_ids[b_contact],
            "influence_role": rng.choice(["economic", "technical", "user", "coach"], j),
            "response_mode": rng.choice(["growth", "trouble", "even_keel", "overconfident"], j),
            "business_result": rng.integers(-2, 3, j),
            "personal_benefit": rng.integers(-2, 3, j),
            "power": rng.integers(1, 6, j),
            "risk_perception": rng.integers(1, 6, j),
            "assessed_date": created[b_opp] + 7,
        },
    )


def _write_costs(landing: _Landing, months: np.ndarray, drivers: dict[str, np.ndarray]) -> None:
    """Ledger pools sized from the month's driver volumes, so rates are realistic and
    time-driven pools keep some unused capacity."""
    pools: dict[str, dict] = {}
    for pool, (name, per_minute, headroom) in TIME_DRIVEN_POOLS.items():
        used = sum(drivers[d] * minutes for _, _, p, d, minutes, _ in ACTIVITIES if p == pool)
        capacity = np.ceil(used * headroom) + 1000
        pools[pool] = {"name": name, "cost": capacity * per_minute, "capacity": capacity}
    warehouse = (
        4.0 * drivers["order_lines"] + 30.0 * drivers["deliveries"] + 80.0 * drivers["rush_orders"]
    )
    pools["P_WAREHOUSE"] = {
        "name": "Warehouse and logistics",
        "cost": warehouse + 5000,
        "capacity": None,
    }
    pools["P_ADMIN"] = {
        "name": "Account administration",
        "cost": 15.0 * drivers["customers"] + 500,
        "capacity": None,
    }
    spread = sum(p["cost"] for p in pools.values())
    pools["P_FACILITY"] = {
        "name": "Facilities and management",
        "cost": 0.08 * spread,
        "capacity": None,
    }

    periods = [str(p) for p in months.astype("datetime64[M]")]
    rows = [
        (
            period,
            pool,
            spec["name"],
            round(float(spec["cost"][i]), 2),
            None if spec["capacity"] is None else float(spec["capacity"][i]),
        )
        for pool, spec in pools.items()
        for i, period in enumerate(periods)
    ]
    landing.append(
        "costs",
        "resource_pools",
        _columns(
            ("period", "pool_id", "pool_name", "cost_amount", "practical_capacity_minutes"), rows
        ),
    )
    landing.append(
        "costs",
        "activities",
        _columns(
            ("activity_id", "activity_name", "pool_id", "driver", "unit_minutes", "pool_share"),
            ACTIVITIES,
        ),
    )


def _columns(names: tuple[str, ...], rows: list[tuple]) -> dict[str, list | np.ndarray]:
    """Rows of tuples as named columns; a numeric column's None becomes NaN (empty in CSV)."""
    columns: dict[str, list | np.ndarray] = {}
    for name, values in zip(names, zip(*rows, strict=True), strict=True):
        numeric = all(v is None or isinstance(v, int | float) for v in values)
        columns[name] = (
            np.array([np.nan if v is None else v for v in values]) if numeric else list(values)
        )
    return columns


def write_manifest(out: Path, scale: Scale, counts: dict[str, int]) -> None:
    (out / MANIFEST_NAME).write_text(
        json.dumps(
            {
                "generator": GENERATOR_VERSION,
                "customers": scale.customers,
                "months": scale.months,
                "seed": scale.seed,
                "end_date": scale.end_date.isoformat(),
                "rows": counts,
            },
            indent=2,
        )
    )
