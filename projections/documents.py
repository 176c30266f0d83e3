"""The read model of maintained documents: every version a row, the current one with `valid_to` NULL.

Versioned by log position (`valid_from`, `valid_to`) like the other open datasets' rows: the model contracts are
the open dataset model-contracts, which a download pinned to a position must reproduce.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.documents import Document
from projections.db import Database
from projections.runner import Event
from projections.tracked import TrackedTables

DATASET_COLUMNS = ("document_key", "kind", "owner", "department", "version", "title", "text", "note", "saved_on")
COLUMNS = (*DATASET_COLUMNS, "document_id", "valid_from", "valid_to")
_INT = {"version", "valid_from", "valid_to"}
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS v_documents ("
    + ", ".join(f"{c} {'BIGINT' if c in _INT else 'TEXT'}" for c in COLUMNS)
    + ", PRIMARY KEY (document_key, version))",
    "CREATE TABLE IF NOT EXISTS v_document_ids (document_id TEXT PRIMARY KEY, kind TEXT NOT NULL, owner TEXT NOT NULL, "
    "department TEXT NOT NULL)",
]
INDEXES = ["CREATE INDEX IF NOT EXISTS v_documents_owner ON v_documents (department, kind, valid_to)",
           "CREATE INDEX IF NOT EXISTS v_documents_id ON v_documents (document_id, valid_to)"]


class DocumentViews(TrackedTables):
    name = "document_views"
    layout = 1
    schema = SCHEMA
    indexes = INDEXES
    tables = ("v_documents", "v_document_ids")

    def write(self, events: Sequence[Event]) -> None:
        for position, ev in events:
            if type(ev) is Document.Started:
                self.db.execute("INSERT INTO v_document_ids (document_id, kind, owner, department) VALUES (?, ?, ?, ?)",
                                (str(ev.originator_id), ev.kind, ev.owner, ev.department))
            elif type(ev) is Document.Saved:
                did = str(ev.originator_id)
                [doc] = self.db.query("SELECT kind, owner, department FROM v_document_ids WHERE document_id = ?", (did,))
                kind, owner, department = doc["kind"], doc["owner"], doc["department"]
                rows = self.db.query("SELECT MAX(version) AS version FROM v_documents WHERE document_id = ?", (did,))
                version = rows[0]["version"] or 0
                self.db.execute("UPDATE v_documents SET valid_to=? WHERE document_id=? AND valid_to IS NULL",
                                (position, did))
                row = {"document_key": f"{kind}:{owner}", "kind": kind, "owner": owner, "department": department,
                       "version": version + 1, "title": ev.title, "text": ev.text, "note": ev.note, "saved_on": ev.on,
                       "document_id": did, "valid_from": position, "valid_to": None}
                self.db.execute(f"INSERT INTO v_documents ({','.join(COLUMNS)}) VALUES ({','.join('?' * len(COLUMNS))})",
                                [row[c] for c in COLUMNS])


def current(db: Database, department: str) -> dict[str, dict[str, Any]]:
    """A department's current page documents by kind."""
    rows = db.query("SELECT * FROM v_documents WHERE department = ? AND kind <> 'contract' AND valid_to IS NULL",
                    (department,))
    return {r["kind"]: r for r in rows}


def versions(db: Database, key: str) -> list[dict[str, Any]]:
    """Every version of a document, newest first."""
    return db.query("SELECT * FROM v_documents WHERE document_key = ? ORDER BY version DESC", (key,))


def contracts(db: Database) -> list[dict[str, Any]]:
    return db.query("SELECT document_key, owner, title, version, saved_on FROM v_documents WHERE kind = 'contract' "
                    "AND valid_to IS NULL ORDER BY title, owner")
