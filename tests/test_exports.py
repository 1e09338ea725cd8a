"""Files are read as exports write them (docs/contract.md, "CSV format"): mixed line
endings, a delimiter at the end of every line, gzip, Windows-1252; a file valuemap
cannot read is named with what it is and what to do, and a reject names the line the
docs promise, the column and the likely cause."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from valuemap.loader import load_landing

HEADER = "customer_id,customer_name,created_date"


def load(tmp_path: Path, files: dict[str, bytes], dialect: dict | None = None):
    """Load these files into crm/customers; returns (results by name, customers, rejects)."""
    folder = tmp_path / "landing" / "crm" / "customers"
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    if dialect:
        (folder.parent / "dialect.json").write_text(json.dumps(dialect))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        results = {Path(r.path).name: r for r in load_landing(con, tmp_path / "landing")}
        customers = con.execute(
            "select customer_id, customer_name, _row_number from raw.crm__customers order by 1"
        ).fetchall()
        rejects = con.execute(
            "select regexp_extract(file_path, '[^/]+$'), row_number, column_name, reason"
            " from raw._rejects order by all"
        ).fetchall()
    return results, customers, rejects


def test_a_crlf_export_appended_to_with_lf_lines_loads(tmp_path):
    content = f"{HEADER}\r\nC1,One,2024-01-01\r\nC2,Two,2024-01-02\nC3,Three,2024-01-03\n"
    results, customers, rejects = load(tmp_path, {"customers.csv": content.encode()})
    assert results["customers.csv"].status == "loaded"
    assert customers == [("C1", "One", 2), ("C2", "Two", 3), ("C3", "Three", 4)]
    assert rejects == []


def test_a_delimiter_at_the_end_of_every_line_is_not_a_column(tmp_path):
    content = f"{HEADER},\nC1,One,2024-01-01,\nC2,Two,2024-01-02,\n"
    results, _, rejects = load(tmp_path, {"customers.csv": content.encode()})
    assert (results["customers.csv"].status, results["customers.csv"].rows_loaded) == ("loaded", 2)
    assert rejects == []
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        assert con.execute("select distinct _extra_columns from raw.crm__customers").fetchall() == [
            (None,)
        ]
    # a value under the unnamed column is kept, as any extra column is
    content = f"{HEADER},\nC1,One,2024-01-01,note\n"
    load(tmp_path / "b", {"customers.csv": content.encode()})
    with duckdb.connect(str(tmp_path / "b" / "warehouse.duckdb")) as con:
        assert con.execute("select _extra_columns from raw.crm__customers").fetchall() == [
            ('{"column_4":"note"}',)
        ]


def test_a_gzip_compressed_export_loads(tmp_path):
    content = gzip.compress(f"{HEADER}\nC1,One,2024-01-01\n".encode())
    results, customers, _ = load(tmp_path, {"customers_2026-03.csv.gz": content})
    assert results["customers_2026-03.csv.gz"].status == "loaded"
    assert customers == [("C1", "One", 2)]


def test_windows_1252_loads_with_its_dialect_and_is_named_under_latin_1(tmp_path):
    content = f"{HEADER}\nC1,Caf\u00e9 \u20ac \u201cBest\u201d,2024-01-01\n".encode("cp1252")
    _, customers, _ = load(tmp_path / "a", {"customers.csv": content}, {"encoding": "windows-1252"})
    assert customers == [("C1", "Café € “Best”", 2)]
    results, customers, _ = load(
        tmp_path / "b", {"customers.csv": content}, {"encoding": "latin-1"}
    )
    assert customers == []
    message = results["customers.csv"].message
    assert message.startswith("line 2 has the byte 0x80")
    assert '"encoding": "windows-1252"' in message


def parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"customer_id": ["C1"]}), buffer)
    return buffer.getvalue()


def test_files_that_are_not_csv_are_named_with_what_they_are(tmp_path):
    results, _, rejects = load(
        tmp_path,
        {
            "gzip.csv": gzip.compress(b"customer_id\nC1\n"),
            "parquet.csv": parquet_bytes(),
            "customers.xlsx": b"PK\x03\x04 another workbook",
            "zip.csv": b"PK\x03\x04 a workbook",
        },
    )
    assert {name: r.status for name, r in results.items()} == dict.fromkeys(results, "rejected")
    assert results["gzip.csv"].message.startswith("this is gzip-compressed data: name the file")
    assert results["parquet.csv"].message == "this is a Parquet file: name it .parquet"
    assert results["zip.csv"].message.startswith("this is a zip archive (an Excel .xlsx?)")
    assert results["customers.xlsx"].message.startswith(
        "not a file valuemap reads (.csv, .csv.gz or .parquet)"
    )
    assert len(rejects) == 4


def test_a_line_over_2_mb_names_its_longest_column(tmp_path):
    long_name = "x" * 3_000_000
    content = f"{HEADER}\nC1,{long_name},2024-01-01\nC2,Two,2024-01-02\n".encode()
    _, customers, rejects = load(tmp_path, {"customers.csv": content})
    assert customers == [("C2", "Two", 3)]
    ((_, row, column, reason),) = rejects
    assert (row, column) == (2, "customer_name")
    assert reason.startswith("line longer than 2 MB (3,000,014 bytes): a quote left open")


def test_rows_after_a_value_that_spans_lines_are_numbered_by_their_line(tmp_path):
    content = f'{HEADER}\nC1,"One\nand a half",2024-01-01\nC2,Two,2024-01-02\nC3,Three,2024-13-01\n'
    _, customers, rejects = load(tmp_path, {"customers.csv": content.encode()})
    assert customers == [("C1", "One\nand a half", 2), ("C2", "Two", 4)]
    assert rejects == [("customers.csv", 5, "created_date", "not a date YYYY-MM-DD")]
