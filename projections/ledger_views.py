"""The ledger's read models: records and entities, versioned by log position.

Every row carries the positions between which it was current (`valid_from` inclusive,
`valid_to` exclusive, NULL while current), so any view can answer "as of position P".
Only public fields are kept here: ID numbers and phone numbers never reach these tables.
The rows are built in projections/ledger_rows.py and written by projections/ledger_tables.py (which the
bulk rebuild uses too); this module owns the tables' layout.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from eventsourcing.application import Application

from projections import bulk
from projections.db import Database
from projections.ledger_rows import ENTITY_COLUMNS, RECORD_COLUMNS, RowBuilder
from projections.ledger_tables import TableState, write_rows
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

    def bulk_catch_up(self, ledger: Application, stop: int, progress: Callable[[int], None] | None = None) -> int:
        """Far behind: this process and a second one take batches in turn (projections/bulk.py)."""
        return bulk.catch_up(self, ledger, stop, progress)
