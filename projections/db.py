"""A thin layer over the two database engines the read models live in.

SQL is written once with `?` placeholders; for PostgreSQL they become `%s`. Nothing
else differs between the engines in the read models' SQL (TEXT, BIGINT, INTEGER).
"""
from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

_PLACEHOLDER = re.compile(r"\?")


class Database:
    """One read-model database: a SQLite file or a PostgreSQL schema."""

    def __init__(self, url: str, *, schema: str | None = None):
        self.url = url
        self.schema = schema
        self.dialect = "postgresql" if url.startswith(("postgresql://", "postgres://")) else "sqlite"
        self._local = threading.local()

    # -- connections ------------------------------------------------------------------------
    def _connect(self) -> Any:
        if self.dialect == "sqlite":
            path = self.url.removeprefix("sqlite:///")
            conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            # Random-key indexes (record ids are UUIDs) want their pages in memory as the
            # tables grow; 32 MB per connection (default 2 MB) bounds it across web threads.
            conn.execute("PRAGMA cache_size=-32768")
            conn.execute("PRAGMA foreign_keys=OFF")
            return conn
        import psycopg

        conn = psycopg.connect(self.url, autocommit=True)
        if self.schema:
            conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            conn.execute(f'SET search_path TO "{self.schema}"')
        return conn

    @property
    def connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def sql(self, statement: str) -> str:
        return statement if self.dialect == "sqlite" else _PLACEHOLDER.sub("%s", statement)

    # -- statements ---------------------------------------------------------------------------
    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        cur = self.connection.execute(self.sql(statement), params)
        return cur.fetchall() if cur.description else []

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.dialect == "sqlite":
            self.connection.executemany(statement, rows)
        else:
            with self.connection.cursor() as cur:
                cur.executemany(self.sql(statement), rows)

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.connection.execute(self.sql(statement), params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def stream(self, statement: str, params: Sequence[Any] = (), size: int = 2000) -> Iterator[tuple]:
        """Rows one by one with flat memory (a server-side cursor on PostgreSQL)."""
        if self.dialect == "sqlite":
            cur = self.connection.execute(statement, params)
            while batch := cur.fetchmany(size):
                yield from batch
            return
        import psycopg

        with psycopg.connect(self.url) as conn:
            if self.schema:
                conn.execute(f'SET search_path TO "{self.schema}"')
            with conn.cursor(name="gongshi_stream") as cur:
                cur.itersize = size
                cur.execute(self.sql(statement), params)
                yield from cur

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """A write transaction that holds the write lock from its first statement."""
        conn = self.connection
        conn.execute("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
        try:
            yield self
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[Database]:
        """A read transaction: several queries see one consistent state."""
        conn = self.connection
        if self.dialect == "sqlite":
            conn.execute("BEGIN")
        else:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield self
        finally:
            conn.execute("COMMIT")

    def table_exists(self, name: str) -> bool:
        if self.dialect == "sqlite":
            return bool(self.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)))
        return bool(self.execute("SELECT 1 FROM information_schema.tables WHERE table_name=? AND table_schema=current_schema()", (name,)))
