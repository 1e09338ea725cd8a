"""Find: the files of a landing folder to consider, in load order, and the CSV dialect of
each source (`<landing>/<source>/dialect.json`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from valuemap.contract import TABLES, Table
from valuemap.loader.files import check_encoding


@dataclass(frozen=True)
class Dialect:
    """How a source's CSV files are written. Set per source in `<landing>/<source>/dialect.json`."""

    delimiter: str = ","
    decimal: str = "."
    thousands: str = ""  # none: a separator in a number rejects it, never misreads it
    date_format: str = "YYYY-MM-DD"
    encoding: str = "utf-8"

    DATE_FORMATS = {  # noqa: RUF012 - constant lookup, not a field
        "YYYY-MM-DD": ("%Y-%m-%d", r"\d{4}-\d{2}-\d{2}"),
        "DD-MM-YYYY": ("%d-%m-%Y", r"\d{2}-\d{2}-\d{4}"),
    }

    @classmethod
    def for_source(cls, landing: Path, source: str) -> Dialect:
        path = landing / source / "dialect.json"
        if not path.exists():
            return cls()
        try:
            settings = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(f"{path} is not valid JSON: {error}") from None
        if not isinstance(settings, dict):
            raise ValueError(f'{path} must be a JSON object, such as {{"delimiter": ";"}}')
        unknown = set(settings) - {"delimiter", "decimal", "thousands", "date_format", "encoding"}
        if unknown:
            raise ValueError(f"{path}: unknown dialect setting(s) {sorted(unknown)}")
        dialect = cls(**settings)
        if dialect.date_format not in cls.DATE_FORMATS:
            raise ValueError(
                f"{path}: date_format must be one of {sorted(cls.DATE_FORMATS)},"
                f" not {dialect.date_format!r}"
            )
        try:
            check_encoding(dialect.encoding)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
        marks = [dialect.delimiter, dialect.decimal, dialect.thousands]
        if dialect.thousands and len(set(marks)) < 3:
            raise ValueError(f"{path}: delimiter, decimal and thousands must differ, not {marks}")
        return dialect


def landing_files(landing: Path) -> list[tuple[Table, Path]]:
    """Files to consider, in load order: contract table order (parents before children),
    then delivery order within a table (modification time, then name)."""
    found = []
    for table in TABLES:
        folder = landing / table.source / table.name
        if not folder.is_dir():
            continue
        # every file, so that one valuemap cannot read is named, not skipped (hidden
        # files, such as .DS_Store, are the file system's, not the export's)
        files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
        files.sort(key=lambda p: (p.stat().st_mtime_ns, p.name))
        found.extend((table, p) for p in files)
    return found
