"""The ledger's read models: records and entities, versioned by log position.

Every row carries the positions between which it was current (`valid_from` inclusive,
`valid_to` exclusive, NULL while current), so any view can answer "as of position P".
Only public fields are kept here: ID numbers and phone numbers never reach these tables.
The rows are built in projections/ledger_rows.py; this module owns the tables and the SQL.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from projections.db import Database
from projections.ledger_rows import ENTITY_COLUMNS, RECORD_COLUMNS, RowBuilder, Rows
from projections.runner import Event
from projections.tracked import TRACKING, TrackedTables

_INT_COLUMNS = {"valid_from", "valid_to", "version", "published", "registered_in_city", "objection"}


def _ddl(table: str, columns: Sequence[str], key: str) -> str:
    cols = ", ".join(f"{c} {'BIGINT' if c in _INT_COLUMNS else 'TEXT'}" for c in columns)
    return f"CREATE TABLE IF NOT EXISTS {table} ({cols}, PRIMARY KEY ({key}, valid_from))"


TABLE_SCHEMA = [
    TRACKING,
    _ddl("v_records", RECORD_COLUMNS, "record_id"),
    _ddl("v_entities", ENTITY_COLUMNS, "entity_key"),
    "CREATE TABLE IF NOT EXISTS v_log (position BIGINT PRIMARY KEY, recorded_at TEXT NOT NULL, "
    "event TEXT NOT NULL, aggregate_id TEXT NOT NULL)",
]
# Secondary indexes, for the readers. The writer itself only looks rows up by primary key
# (record_id or entity_key first), so a (re)build from the log leaves these out and builds
# them in one sorted pass once it has caught up (TrackedTables.tick): maintaining five
# random-key indexes row by row was most of a replay's time.
INDEXES = [
    "CREATE INDEX IF NOT EXISTS v_log_time ON v_log (recorded_at)",
    "CREATE INDEX IF NOT EXISTS v_records_current ON v_records (valid_to, kind, decision_date)",
    "CREATE INDEX IF NOT EXISTS v_records_entity ON v_records (entity_key, valid_to)",
    "CREATE INDEX IF NOT EXISTS v_records_open ON v_records (record_id, valid_to)",
    "CREATE INDEX IF NOT EXISTS v_entities_current ON v_entities (valid_to, district)",
    # Without this the readers' "which of these entities are current" lookups scanned every
    # current entity (the planner took v_entities_current).
    "CREATE INDEX IF NOT EXISTS v_entities_open ON v_entities (entity_key, valid_to)",
    "CREATE INDEX IF NOT EXISTS v_entities_code ON v_entities (credit_code, valid_to)",
]
SCHEMA = TABLE_SCHEMA + INDEXES
TABLES = ("v_records", "v_entities", "v_log")




class LedgerViews(TrackedTables):
    """Records (with publicity window and status) and entity profiles."""

    name = "ledger_views"
    layout = 3
    schema = TABLE_SCHEMA[1:]
    indexes = INDEXES
    tables = TABLES

    def __init__(self, db: Database):
        super().__init__(db)
        self.builder = RowBuilder()

    def write(self, events: Sequence[Event]) -> None:
        write_rows(self.db, self.builder.build(events, TableState(self.db)))

    def bulk_catch_up(self, ledger: Any, stop: int, progress: Callable[[int], None] | None = None) -> int:
        """Far behind: this process and a second one take batches in turn (projections/bulk.py)."""
        from projections import bulk

        return bulk.catch_up(self, ledger, stop, progress)


class TableState:
    """The ledger read models' tables as the row builder's `State` (committed rows)."""

    def __init__(self, db: Database):
        self.db = db

    def existing_entities(self, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT entity_key FROM v_entities WHERE valid_to IS NULL AND entity_key IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        return found

    def current_record(self, record_id: str) -> dict[str, Any]:
        return self.db.query("SELECT * FROM v_records WHERE record_id=? AND valid_to IS NULL", (record_id,))[0]


_INSERT_RECORD = f"INSERT INTO v_records ({','.join(RECORD_COLUMNS)}) VALUES ({','.join('?' * len(RECORD_COLUMNS))})"
_INSERT_ENTITY = f"INSERT INTO v_entities ({','.join(ENTITY_COLUMNS)}) VALUES ({','.join('?' * len(ENTITY_COLUMNS))})"


def write_rows(db: Database, rows: Rows) -> None:
    """One batch's rows, inside the caller's transaction; closes first (they must not hit the new rows)."""
    db.executemany("UPDATE v_records SET valid_to=? WHERE record_id=? AND valid_to IS NULL", rows.record_closes)
    db.executemany("UPDATE v_entities SET valid_to=? WHERE entity_key=? AND valid_to IS NULL", rows.entity_closes)
    db.executemany(_INSERT_RECORD, rows.records)
    db.executemany("INSERT INTO v_log (position, recorded_at, event, aggregate_id) VALUES (?, ?, ?, ?)", rows.log)
    db.executemany(_INSERT_ENTITY, rows.entities)
