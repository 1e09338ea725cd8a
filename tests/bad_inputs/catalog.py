"""The bad-input catalog: kinds of broken exports and what the refresh does with each.

Every case is delivered on top of the tiny landing folder (tests/fixtures/tiny_landing.py)
after it was loaded. `rejects` lists (row, column, start of the reason) of the rows that
land in raw._rejects; a file rejected whole has one reject without row or column; `held`
those that wait in raw._held_<table> for a reference, or for a rule to hold. Cases
marked `marts_unchanged` carry only rows that must not reach the marts (or rows equal
to ones already loaded): delivered all together, the published marts stay the same.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ORDERS_HEADER = "order_id,customer_id,order_date,channel,delivery_type,status\n"
LINES_HEADER = "order_id,line_number,product_id,quantity,unit_list_price,unit_net_price\n"
# An order that is already loaded, byte for byte the same values: loading it changes nothing.
SAME_ORDER = "O5,C3,2026-03-31,field_sales,standard,completed\n"


@dataclass(frozen=True)
class BadInput:
    name: str
    what: str
    file: str  # path under the landing folder
    content: bytes
    status: str  # loaded | rejected (whole file)
    rows_read: int
    rows_loaded: int
    rejects: tuple[tuple[int | None, str | None, str], ...] = ()
    # (row, column, start of the reason) of the rows held in raw._held_<table>
    held: tuple[tuple[int, str, str], ...] = ()
    dialect: dict[str, str] = field(default_factory=dict)  # the source's dialect.json
    marts_unchanged: bool = True

    def deliver(self, landing: Path) -> Path:
        path = landing / self.file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.content)
        if self.dialect:
            source = self.file.split("/")[0]
            import json

            (landing / source / "dialect.json").write_text(json.dumps(self.dialect))
        return path


def _parquet(columns: dict[str, list]) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


CATALOG: tuple[BadInput, ...] = (
    BadInput(
        "malformed_row",
        "a line with a field too many and one with too few; the good line is kept",
        "orders/orders/malformed.csv",
        (
            ORDERS_HEADER + SAME_ORDER + "O21,C1,2026-03-10,edi,standard,completed,X\nO22,C1\n"
        ).encode(),
        "loaded",
        3,
        1,
        (
            (3, None, "malformed row: too many fields"),
            (4, "order_date", "malformed row: too few fields"),
        ),
    ),
    BadInput(
        "unterminated_quote",
        "a quote that never closes swallows the rest of the file; what came before is kept",
        "orders/orders/quote.csv",
        (
            ORDERS_HEADER + SAME_ORDER + '"O23,C1,2026-03-10,edi,standard,completed\n'
            "O24,C1,2026-03-11,edi,standard,completed\n"
        ).encode(),
        "loaded",
        3,
        1,
        ((3, "order_id", "unterminated quote"),),
    ),
    BadInput(
        "wrong_type",
        "a quantity that is not a number",
        "orders/order_lines/wrong_type.csv",
        (LINES_HEADER + "O5,2,P1,ten,120,100\n").encode(),
        "loaded",
        1,
        0,
        ((2, "quantity", "not a number"),),
    ),
    BadInput(
        "not_a_date",
        "an order date that does not exist",
        "orders/orders/not_a_date.csv",
        (ORDERS_HEADER + "O25,C1,2026-13-01,edi,standard,completed\n").encode(),
        "loaded",
        1,
        0,
        ((2, "order_date", "not a date YYYY-MM-DD"),),
    ),
    BadInput(
        "out_of_range_score",
        "a survey experience of 7 on a 1-5 scale",
        "crm/surveys/out_of_range.csv",
        b"response_id,customer_id,survey_date,dimension,expectation,experience\n"
        b"S1,C1,2026-03-01,overall,4,7\n",
        "loaded",
        1,
        0,
        ((2, "experience", "out of range: must be <= 5"),),
    ),
    BadInput(
        "unknown_enum",
        "a channel the contract does not know",
        "orders/orders/unknown_enum.csv",
        (ORDERS_HEADER + "O26,C1,2026-03-10,fax,standard,completed\n").encode(),
        "loaded",
        1,
        0,
        ((2, "channel", "not one of"),),
    ),
    BadInput(
        "missing_required_value",
        "an order without a customer",
        "orders/orders/missing_value.csv",
        (ORDERS_HEADER + "O27,,2026-03-10,edi,standard,completed\n").encode(),
        "loaded",
        1,
        0,
        ((2, "customer_id", "missing required value"),),
    ),
    BadInput(
        "missing_required_column",
        "an orders file without the status column",
        "orders/orders/missing_column.csv",
        b"order_id,customer_id,order_date,channel,delivery_type\nO28,C1,2026-03-10,edi,standard\n",
        "rejected",
        0,
        0,
        ((None, None, "missing required column(s): status"),),
    ),
    BadInput(
        "duplicate_column",
        "the same column twice in the header",
        "orders/orders/duplicate_column.csv",
        (ORDERS_HEADER.strip() + ",Status\n" + SAME_ORDER.strip() + ",completed\n").encode(),
        "rejected",
        0,
        0,
        ((None, None, "column 'status' appears twice"),),
    ),
    BadInput(
        "extra_column",
        "a column the contract does not have: kept in raw, ignored downstream",
        "orders/orders/extra_column.csv",
        (ORDERS_HEADER.strip() + ",sales_rep\n" + SAME_ORDER.strip() + ",Jan\n").encode(),
        "loaded",
        1,
        1,
    ),
    BadInput(
        "duplicate_key_in_file",
        "the same order twice in one file: the first stands",
        "orders/orders/duplicate_key.csv",
        (ORDERS_HEADER + SAME_ORDER + SAME_ORDER).encode(),
        "loaded",
        2,
        1,
        ((3, "order_id", "duplicate key within file (first at row 2)"),),
    ),
    BadInput(
        "duplicate_across_files",
        "a product delivered again with another name: the file delivered last wins",
        "costs/products/products_renamed.csv",
        b"product_id,product_name,category,unit_standard_cost\nP1,Bolt M8,parts,60\n",
        "loaded",
        1,
        1,
    ),
    BadInput(
        "unknown_customer",
        "an order of a customer the CRM does not have",
        "orders/orders/unknown_customer.csv",
        (ORDERS_HEADER + "O29,C99,2026-03-10,edi,standard,completed\n").encode(),
        "loaded",
        1,
        0,
        held=((2, "customer_id", "unknown customer"),),
    ),
    BadInput(
        "unknown_order_or_product",
        "a line of an order that does not exist, and a line of an unknown product",
        "orders/order_lines/unknown_refs.csv",
        (LINES_HEADER + "O99,1,P1,1,120,100\nO5,2,P9,1,120,100\n").encode(),
        "loaded",
        2,
        0,
        held=((2, "order_id", "unknown order"), (3, "product_id", "unknown product")),
    ),
    BadInput(
        "negative_quantity",
        "a line with a negative quantity",
        "orders/order_lines/negative.csv",
        (LINES_HEADER + "O5,2,P1,-1,120,100\n").encode(),
        "loaded",
        1,
        0,
        ((2, "quantity", "out of range: must be > 0"),),
    ),
    BadInput(
        "return_above_sold",
        "9 more returned of a line of 10 of which 2 came back already",
        "orders/returns/too_many.csv",
        b"return_id,order_id,line_number,return_date,quantity\nR2,O1,1,2026-03-28,9\n",
        "loaded",
        1,
        1,  # loaded, then held by the rule checked after the whole load
        held=((2, "quantity", "return larger than the sold quantity"),),
    ),
    BadInput(
        "future_date",
        "an order dated in 2099",
        "orders/orders/future.csv",
        (ORDERS_HEADER + "O30,C1,2099-01-01,edi,standard,completed\n").encode(),
        "loaded",
        1,
        0,
        ((2, "order_date", "in the future"),),
    ),
    BadInput(
        "empty_file",
        "a file of 0 bytes",
        "orders/orders/empty.csv",
        b"",
        "rejected",
        0,
        0,
        ((None, None, "empty file"),),
    ),
    BadInput(
        "header_only",
        "a header and no rows",
        "orders/orders/header_only.csv",
        ORDERS_HEADER.encode(),
        "loaded",
        0,
        0,
    ),
    BadInput(
        "latin1_without_dialect",
        "a latin-1 export read as UTF-8",
        "crm/customers/latin1.csv",
        "customer_id,customer_name,created_date\nC5,Coöperatie De Eendracht,2024-01-01\n".encode(
            "latin-1"
        ),
        "rejected",
        0,
        0,
        ((None, None, "line 2 is not utf-8"),),
    ),
    BadInput(
        "latin1_with_dialect",
        'the same file with "encoding": "latin-1" in crm/dialect.json',
        "crm/customers/latin1.csv",
        "customer_id,customer_name,created_date\nC5,Coöperatie De Eendracht,2024-01-01\n".encode(
            "latin-1"
        ),
        "loaded",
        1,
        1,
        dialect={"encoding": "latin-1"},
        marts_unchanged=False,
    ),
    BadInput(
        "utf8_bom",
        "a UTF-8 file that starts with a byte-order mark",
        "crm/customers/bom.csv",
        "\ufeffcustomer_id,customer_name,created_date\nC6,Coöperatie Één,2024-01-01\n".encode(),
        "loaded",
        1,
        1,
    ),
    BadInput(
        "semicolon_decimal_comma",
        "a European spreadsheet export: ; separated, decimal comma, DD-MM-YYYY",
        "costs/products/european.csv",
        b"product_id;product_name;category;unit_standard_cost\nP3;Pomp XL;systemen;212,50\n",
        "loaded",
        1,
        1,
        dialect={"delimiter": ";", "decimal": ",", "date_format": "DD-MM-YYYY"},
        marts_unchanged=False,
    ),
    BadInput(
        "parquet_missing_column",
        "a Parquet file of order lines without a quantity column",
        "orders/order_lines/lines.parquet",
        _parquet(
            {
                "order_id": ["O5"],
                "line_number": [2],
                "product_id": ["P1"],
                "unit_list_price": [120.0],
                "unit_net_price": [100.0],
            }
        ),
        "rejected",
        0,
        0,
        ((None, None, "missing required column(s): quantity"),),
    ),
    BadInput(
        "parquet_wrong_type",
        "a Parquet file whose quantity column holds text",
        "orders/order_lines/text_quantity.parquet",
        _parquet(
            {
                "order_id": ["O5"],
                "line_number": [2],
                "product_id": ["P1"],
                "quantity": ["a few"],
                "unit_list_price": [120.0],
                "unit_net_price": [100.0],
            }
        ),
        "loaded",
        1,
        0,
        ((1, "quantity", "not a number"),),
    ),
    BadInput(
        "negative_pool_cost",
        "a cost pool with a negative amount",
        "costs/resource_pools/correction.csv",
        b"period,pool_id,pool_name,cost_amount\n2026-03,P_WH,Warehouse,-600\n",
        "loaded",
        1,
        0,
        ((2, "cost_amount", "out of range: must be >= 0"),),
    ),
)

# Pool shares above 1 cannot be judged row by row: a dbt test stops the run and names the
# pool (tests/test_cli.py). Shares below 1 are allowed; the rest of the pool is reported
# as unassigned (the tiny fixture's P_ADMIN, tests/test_profitability.py).
