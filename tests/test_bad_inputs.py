"""Every kind of bad input in tests/bad_inputs/catalog.py gets its documented outcome: a
message naming the file, row, column and reason; the row (or file) in raw._rejects, or
held in raw._held_<table>; rows read = rows loaded + rows held + rows rejected; and
nothing of it reaches the marts."""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb
import pytest

from tests.bad_inputs.catalog import CATALOG, BadInput
from tests.conftest import published_marts, run_refresh
from tests.fixtures.tiny_landing import write_tiny_landing
from valuemap.contract import TABLES_BY_PATH
from valuemap.held import held_table
from valuemap.loader import load_landing


def test_the_catalog_covers_at_least_20_kinds():
    assert len({case.name for case in CATALOG}) == len(CATALOG) >= 20


def deliver_late(case: BadInput, landing: Path) -> Path:
    path = case.deliver(landing)
    later = time.time() + 60  # delivered after the files already loaded
    os.utime(path, (later, later))
    return path


@pytest.mark.parametrize("case", CATALOG, ids=lambda case: case.name)
def test_bad_input_gets_its_outcome(case: BadInput, tmp_path):
    landing = write_tiny_landing(tmp_path / "landing")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        load_landing(con, landing)
        path = deliver_late(case, landing)
        (result,) = [r for r in load_landing(con, landing) if Path(r.path) == path]

        assert (result.status, result.rows_read, result.rows_loaded) == (
            case.status,
            case.rows_read,
            case.rows_loaded,
        ), result.message
        assert result.rows_read == result.rows_loaded + result.rows_held + result.rows_rejected
        rejects = con.execute(
            "select row_number, column_name, reason, file_path from raw._rejects"
            " where file_path = ? order by row_number nulls first, column_name",
            [str(path)],
        ).fetchall()
        assert len(rejects) == len(case.rejects), rejects
        for (row, column, reason, _), (want_row, want_column, want_reason) in zip(
            rejects, case.rejects, strict=True
        ):
            assert (row, reason[: len(want_reason)]) == (want_row, want_reason), reason
            if want_column:
                assert column == want_column
        table = TABLES_BY_PATH["/".join(case.file.split("/")[:2])]
        held = con.execute(
            f"select _row_number, _held_column, _held_reason from {held_table(table)} as h"
            " inner join raw._load_log as l on l.load_id = h._load_id where l.file_path = ?"
            " order by _row_number",
            [str(path)],
        ).fetchall()
        assert len(held) == len(case.held), held
        for got, want in zip(held, case.held, strict=True):
            assert (got[0], got[1], got[2][: len(want[2])]) == want, got
        # the run's message names the row, column and reason (or the file's problem)
        if case.rejects or (case.held and not case.rows_loaded):
            first_row, _, first_reason = (case.rejects or case.held)[0]
            assert first_reason in result.message
            if first_row is not None:
                assert f"row {first_row}" in result.message
        (logged,) = con.execute(
            "select rows_read, rows_loaded + rows_held + rows_rejected from raw._load_log"
            " where file_path = ?",
            [str(path)],
        ).fetchall()
        assert logged[0] == logged[1]


def test_good_rows_of_european_and_latin1_exports_load_correctly(tmp_path):
    landing = write_tiny_landing(tmp_path / "landing")
    cases = {case.name: case for case in CATALOG}
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        load_landing(con, landing)
        for name in ("semicolon_decimal_comma", "latin1_with_dialect", "extra_column"):
            deliver_late(cases[name], landing)
        load_landing(con, landing)
        (landing / "crm" / "dialect.json").unlink()
        deliver_late(cases["utf8_bom"], landing)
        load_landing(con, landing)
        assert con.execute(
            "select unit_standard_cost from raw.costs__products where product_id = 'P3'"
        ).fetchall() == [(212.5,)]
        names = dict(
            con.execute(
                "select customer_id, customer_name from raw.crm__customers"
                " where customer_id in ('C5', 'C6')"
            ).fetchall()
        )
        assert names == {"C5": "Coöperatie De Eendracht", "C6": "Coöperatie Één"}
        assert con.execute(
            "select _extra_columns from raw.orders__orders where order_id = 'O5'"
        ).fetchall() == [('{"sales_rep":"Jan"}',)]


@pytest.mark.slow
def test_bad_inputs_never_reach_the_marts(tiny_run, tmp_path):
    copy = tiny_run.copy_to(tmp_path)
    landing, warehouse = copy.landing, copy.warehouse
    for case in CATALOG:
        if case.marts_unchanged:
            deliver_late(case, landing)

    run = run_refresh(landing, warehouse)

    # done and published, but files were rejected whole (exit code 3)
    assert run.result.returncode == 3, run.result.stderr[-3000:]
    assert "rejected" in run.result.stdout
    assert run.query(
        "select count(*) from raw._load_log where status <> 'settled'"
        " and rows_read <> rows_loaded + rows_held + rows_rejected",
        warehouse,
    ) == [(0,)]
    before, after = published_marts(tiny_run.published), published_marts(run.published)
    assert len(after) > 20
    assert after == before
