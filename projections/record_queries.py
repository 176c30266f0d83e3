"""Reads of single records and of one entity's records: case pages, the firm's records, audit histories."""
from __future__ import annotations

import json
from typing import Any

from projections.db import Database


def current_record(db: Database, record_id: str) -> dict[str, Any] | None:
    """A record's current row (public fields only), with its fields decoded; None if unknown."""
    rows = db.query("SELECT * FROM v_records WHERE record_id=? AND valid_to IS NULL", (record_id,))
    if not rows:
        return None
    return {**rows[0], "fields": json.loads(rows[0]["data"])}


def firm_records(db: Database, credit_code: str) -> list[dict[str, Any]]:
    """An entity's current records, newest decision first: what a firm may apply or object about."""
    return db.query(
        "SELECT record_id, kind, list_type, document_number, decision_date, authority, status, objection "
        "FROM v_records WHERE credit_code=? AND valid_to IS NULL ORDER BY decision_date DESC, record_id",
        (credit_code,))


def record_ids_about(db: Database, key: str) -> list[str]:
    """Every record ever about an entity (by its key or credit code), for its audit history."""
    return [r[0] for r in db.execute(
        "SELECT DISTINCT record_id FROM v_records WHERE entity_key=? OR credit_code=? ORDER BY record_id", (key, key))]


def annual_report_ids_about(db: Database, credit_code: str) -> list[str]:
    """Every annual report an entity filed (each with all its versions in the log), for its audit history."""
    return [r[0] for r in db.execute(
        "SELECT DISTINCT report_id FROM v_annual_reports WHERE credit_code=? ORDER BY report_id", (credit_code,))]
