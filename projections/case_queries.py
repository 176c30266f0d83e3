"""What the case pages read beside the case itself: the subject record's public row, a firm's records."""
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
