"""Compare two copies of the versioned read models as of one log position."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import zip_longest

from projections.db import Database


@dataclass
class TableDiff:
    table: str
    rows_a: int = 0
    rows_b: int = 0
    digest_a: str = ""
    digest_b: str = ""
    examples: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return self.digest_a == self.digest_b and self.rows_a == self.rows_b


def rows_as_of(db: Database, table: str, key: str, position: int) -> Iterator[tuple]:
    """A table's rows as they stood at `position` (later closings read as still open)."""
    columns = [c for c in _columns(db, table)]
    select = ", ".join("CASE WHEN valid_to > ? THEN NULL ELSE valid_to END" if c == "valid_to" else c for c in columns)
    yield from db.stream(
        f"SELECT {select} FROM {table} WHERE valid_from <= ? ORDER BY {key}, valid_from", (position, position))


def _columns(db: Database, table: str) -> list[str]:
    if db.dialect == "sqlite":
        return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
    return [r[0] for r in db.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name=? AND table_schema=current_schema() "
        "ORDER BY ordinal_position", (table,))]


def compare_table(a: Database, b: Database, table: str, key: str, position: int, max_examples: int = 5) -> TableDiff:
    diff = TableDiff(table)
    ha, hb = hashlib.sha256(), hashlib.sha256()
    for row_a, row_b in zip_longest(rows_as_of(a, table, key, position), rows_as_of(b, table, key, position)):
        if row_a is not None:
            diff.rows_a += 1
            ha.update(repr(tuple(row_a)).encode())
        if row_b is not None:
            diff.rows_b += 1
            hb.update(repr(tuple(row_b)).encode())
        if tuple(row_a or ()) != tuple(row_b or ()) and len(diff.examples) < max_examples:
            diff.examples.append(f"live {row_a!r}\n    rebuilt {row_b!r}")
    diff.digest_a, diff.digest_b = ha.hexdigest(), hb.hexdigest()
    return diff
