"""The Dagster event log of a refresh: Dagster's SQLite storage, with its connections kept.

A refresh stores about three events per dbt node (a step's start, its materialization or
check result, the copy in the cross-run index). Dagster's own SQLite storage opens a new
engine and connection for every event and closes it after: each close of the last
connection checkpoints the write-ahead log to disk, and each commit waits for the disk.
Two tiny refreshes at once (as the tests run them) took 44 s each with it, 34 s without
(benchmarks/README.md, eighth round). This storage keeps one engine per database file,
and commits in SQLite's `synchronous=NORMAL` mode of the write-ahead log: a commit is
safe against the process dying, and the database stays consistent if the machine loses
power (the last events may then be missing: the run history of that night, not the
warehouse). The files are the same: `valuemap ui` and `dagster dev` read them as always.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS, create_db_conn_string
from sqlalchemy.engine import Connection, Engine


class KeptConnectionsEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage with one engine (and its pooled connection) per database file,
    kept until the instance is disposed. dagster.yaml names it (valuemap/cli.py)."""

    def __init__(self, base_dir: str, inst_data: Any = None) -> None:
        self._engines: dict[str, Engine] = {}
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: Any) -> KeptConnectionsEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = db.create_engine(
                create_db_conn_string(self._base_dir, shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            db.event.listen(engine, "connect", _commit_without_waiting_for_the_disk)
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Dagster asks before every asset and check event whether its index has a table,
        each time through a new engine and connection (0.8 s of a tiny refresh): a table
        that is there stays there until the storage is wiped."""
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def _close_engines(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self._close_engines()  # before the run files are deleted
        self._tables.clear()
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._close_engines()


def _commit_without_waiting_for_the_disk(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("pragma synchronous = normal")
    cursor.close()
