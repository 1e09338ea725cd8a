"""CSV files as exports write them: read once to hash them, then handed to DuckDB as
UTF-8 with one kind of line ending.

DuckDB's CSV reader is fast but strict: one encoding of its own few, one line ending
per file. Exports are not: Windows-1252 from spreadsheets, a CRLF file appended to on
Linux, gzip. A file that DuckDB cannot take as it is gets a UTF-8, LF copy in a
temporary folder first (streamed, so memory does not grow with the file); values are
not touched. Bytes that are not CSV at all (gzip, Parquet or a zip archive named .csv)
are recognised and named.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

BLOCK = 1 << 20
# What valuemap reads in a table folder; anything else there is named and rejected.
READABLE_SUFFIXES = (".csv", ".csv.gz", ".parquet")
# Encodings DuckDB's CSV reader decodes itself (without the encodings extension).
DUCKDB_ENCODINGS = {"utf-8", "utf8"}
# The first bytes of files that are not text.
SIGNATURES = (
    (b"\x1f\x8b", "gzip-compressed data: name the file .csv.gz, or deliver it uncompressed"),
    (b"PAR1", "a Parquet file: name it .parquet"),
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx?), not CSV: save the sheet as CSV"),
)


class NotReadable(Exception):
    """The file cannot be read at all: the reason says what it is and what to do."""


def readable(path: Path) -> bool:
    return path.name.lower().endswith(READABLE_SUFFIXES)


def is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(".parquet")


@dataclass(frozen=True)
class Scan:
    """What one pass over a file's bytes tells: its hash, its line endings, its start."""

    content_hash: str
    newlines: int  # b"\n"
    crlf: int  # b"\r\n"
    head: bytes


def scan(path: Path) -> Scan:
    digest = hashlib.sha256()
    newlines = crlf = 0
    head = b""
    previous = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
            if not head:
                head = block[:8]
            newlines += block.count(b"\n")
            if b"\r" in block or previous == b"\r":  # counting a pair is 3x a search
                crlf += block.count(b"\r\n") + (previous == b"\r" and block[:1] == b"\n")
            previous = block[-1:]
    return Scan(digest.hexdigest(), newlines, crlf, head)


def _normal_encoding(encoding: str) -> str:
    return codecs.lookup(encoding).name  # "latin-1" -> "iso8859-1", "windows-1252" -> "cp1252"


def check_encoding(encoding: str) -> None:
    try:
        _normal_encoding(encoding)
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}") from None


def prepare(path: Path, file_scan: Scan, encoding: str, folder: Path) -> tuple[Path, Scan]:
    """The file DuckDB should read, UTF-8 (`encoding` decoded) with LF line endings when
    the file has both kinds, and the scan of that file; `folder` takes a copy if one is
    needed."""
    if path.name.lower().endswith(".gz"):
        plain = folder / "decompressed.csv"
        try:
            with gzip.open(path, "rb") as source, plain.open("wb") as target:
                shutil.copyfileobj(source, target, BLOCK)
        except (OSError, EOFError) as error:
            raise NotReadable(f"not a readable gzip file ({error})") from None
        path, file_scan = plain, scan(plain)
    else:
        for signature, what in SIGNATURES:
            if file_scan.head.startswith(signature):
                raise NotReadable(f"this is {what}")
    name = _normal_encoding(encoding)
    utf8 = name == "utf-8"
    mixed = 0 < file_scan.crlf < file_scan.newlines
    if utf8 and not mixed:
        return path, file_scan
    copy = folder / "utf8.csv"
    _transcode(path, copy, name)
    return copy, scan(copy)


def _transcode(source: Path, target: Path, encoding: str) -> None:
    """Decode `source` block by block into UTF-8 with LF line endings; a byte the
    encoding does not have rejects the file, naming its line."""
    decoder = codecs.getincrementaldecoder(encoding)()
    latin1 = encoding == "iso8859-1"
    line = 1
    carry_cr = False
    with source.open("rb") as handle, target.open("w", encoding="utf-8", newline="") as out:
        for block in iter(lambda: handle.read(BLOCK), b""):
            if latin1:
                # 0x80-0x9F are control characters in latin-1, and the euro sign, the
                # curly quotes and dashes in Windows-1252: the export's real encoding.
                found = re.search(rb"[\x80-\x9f]", block)
                if found:
                    at = line + block[: found.start()].count(b"\n")
                    raise NotReadable(
                        f"line {at} has the byte 0x{found.group()[0]:02X}, a control character"
                        " in latin-1 but a euro sign, quote or dash in Windows-1252: set"
                        ' "encoding": "windows-1252" in the source\'s dialect.json'
                    )
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as error:
                at = line + block[: error.start].count(b"\n")
                raise NotReadable(
                    f"line {at} is not {encoding} (byte 0x{block[error.start]:02X}): set"
                    " \"encoding\" in the source's dialect.json to the export's encoding"
                ) from None
            line += block.count(b"\n")
            if carry_cr:
                text = "\r" + text
            carry_cr = text.endswith("\r")
            if carry_cr:
                text = text[:-1]
            out.write(text.replace("\r\n", "\n"))
        out.write(decoder.decode(b"", final=True) + ("\r" if carry_cr else ""))


def record_lines(path: Path, delimiter: str) -> list[int]:
    """The line on which each record starts (the header is record 0, on line 1), for a
    file in which a quoted value spans lines: DuckDB numbers records, the docs lines."""
    import csv

    starts = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"')
        line = 1
        for _ in reader:
            starts.append(line)
            line = reader.line_num + 1
    return starts
