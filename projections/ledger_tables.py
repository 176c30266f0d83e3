"""Reading and writing the ledger views' rows: what the ordinary loop and the bulk rebuild share."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.db import Database
from projections.ledger_rows import ENTITY_COLUMNS, RECORD_COLUMNS, Rows


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
