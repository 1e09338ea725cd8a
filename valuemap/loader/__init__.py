"""The loader: landing files into the `raw` schema, in four steps, one module each.

    find.py    which files to consider, in load order, and each source's CSV dialect
    files.py   the bytes of a file: its hash, its encoding and compression, its lines
    read.py    a file opened as a view of text, then read in one pass into checked rows
    check.py   the select typing each value as written or rejecting it; rows held
    load.py    each new file in one transaction, then the held rows settled

What the loader records (the load log, the rejects) is kept by valuemap/bookkeeping.py;
held rows by valuemap/held.py; the rules themselves are data in valuemap/contract.py.
"""

from valuemap.loader.load import (
    FileResult,
    LoadProgress,
    ensure_raw_schema,
    load_file,
    load_landing,
)

__all__ = ["FileResult", "LoadProgress", "ensure_raw_schema", "load_file", "load_landing"]
