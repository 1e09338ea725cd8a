"""The publish step (valuemap/publish.py) on small hand-made warehouses: an incremental
mart changes only in its rebuilt months, and only when the published file is the one
this warehouse wrote last; every other table is copied whole."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from valuemap.publish import publish


def make_build(path: Path, months: dict[str, int], note: str) -> None:
    """A build warehouse with an incremental mart (a row per month: amount = 10 x its
    load id) and a plain one."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists raw")
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.fct_monthly"
            " (month_start_date date, amount integer, loaded_through_load_id integer)"
        )
        for month, load_id in months.items():
            con.execute(
                "insert into marts.fct_monthly values (?, ?, ?)", [month, 10 * load_id, load_id]
            )
        con.execute("create or replace table marts.fct_plain as select ? as note", [note])


def rows(database: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            "monthly": con.execute("select * from marts.fct_monthly order by 1").fetchall(),
            "plain": con.execute("select * from marts.fct_plain").fetchall(),
        }


def mark_january(build: Path, published: Path) -> None:
    """Change January in the published file, and record that file as the one the build
    published: whether the next publish copies January again shows in its amount."""
    with duckdb.connect(str(published)) as con:
        con.execute(
            "update marts.fct_monthly set amount = -1 where month_start_date = '2026-01-01'"
        )
    stat = published.stat()
    with duckdb.connect(str(build)) as con:
        con.execute(
            "insert into raw._publications values (current_timestamp, ?, ?, ?)",
            [str(published.resolve()), stat.st_size, stat.st_mtime_ns],
        )


def test_only_the_rebuilt_months_are_published_again(tmp_path: Path) -> None:
    build, published = tmp_path / "warehouse.duckdb", tmp_path / "warehouse_published.duckdb"
    make_build(build, {"2026-01-01": 1, "2026-02-01": 1, "2026-03-01": 1}, note="first")
    assert publish(build, published) == {"fct_monthly": 3, "fct_plain": 1}
    assert rows(published) == rows(build)

    mark_january(build, published)
    # The nightly build rebuilt March (load 2), added April, and February is gone
    make_build(build, {"2026-01-01": 1, "2026-03-01": 2, "2026-04-01": 2}, note="second")
    assert publish(build, published) == {"fct_monthly": 3, "fct_plain": 1}
    assert rows(published) == {
        "monthly": [
            (date(2026, 1, 1), -1, 1),  # not rebuilt: kept from the published file
            (date(2026, 3, 1), 20, 2),
            (date(2026, 4, 1), 20, 2),
        ],
        "plain": [("second",)],
    }


def test_a_published_file_the_build_did_not_write_is_replaced_whole(tmp_path: Path) -> None:
    build, published = tmp_path / "warehouse.duckdb", tmp_path / "warehouse_published.duckdb"
    make_build(build, {"2026-01-01": 1, "2026-02-01": 1}, note="first")
    publish(build, published)
    mark_january(build, published)
    # The file changed after the build published it (or another warehouse wrote it)
    with duckdb.connect(str(published)) as con:
        con.execute("update marts.fct_monthly set amount = 7")
    publish(build, published)
    assert rows(published) == rows(build)


def test_the_publish_keeps_to_the_duckdb_budget(tmp_path: Path) -> None:
    """The publish opens DuckDB with the job's settings (threads, memory_limit,
    temp_directory), not with DuckDB's defaults of 80% of the memory and `./.tmp`."""
    build, published = tmp_path / "warehouse.duckdb", tmp_path / "warehouse_published.duckdb"
    make_build(build, {"2026-01-01": 1}, note="first")
    budget = {"threads": 1, "memory_limit": "200MB", "temp_directory": str(tmp_path / "spill")}
    assert publish(build, published, budget) == {"fct_monthly": 1, "fct_plain": 1}
    assert rows(published) == rows(build)
    # A budget DuckDB refuses fails the publish before it writes: so the budget is applied.
    before = published.read_bytes()
    with pytest.raises(duckdb.ParserException, match="Memory must have a number"):
        publish(build, published, {**budget, "memory_limit": "a lot"})
    assert published.read_bytes() == before
