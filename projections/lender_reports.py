"""What a lender's fuller report adds to the public one, read at the same pinned moment: nothing here decides it.

The records no longer public that a consented lender may see are chosen by
projections/public.lender_clause from the rules in schemas/lending.json; they are shown in the
profile's own record shape (queries.record_view: public fields only, never an ID or phone number).
The facts a product's eligibility reads (grade, dishonesty listing, establishment day) come from the
same read models the supervision rules read.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from domain.lenders import rules
from domain.loans import FirmFacts
from projections.db import Database
from projections.public import Moment, lender_clause, version_clause
from projections.queries import ORDER, record_view
from projections.supervision import Rules, load_subjects


def beyond_public(db: Database, key: str, moment: Moment) -> dict[str, dict[str, Any]]:
    """Per rule of `lender_report.beyond_public`: the entity's records it admits, newest first, with their count."""
    limit = 500
    out: dict[str, dict[str, Any]] = {}
    for rule in rules()["lender_report"]["beyond_public"]:
        clause, params = lender_clause(moment, [rule])
        rows = db.query(f"SELECT r.*, 0 AS on_list FROM v_records r WHERE r.entity_key = ? AND {clause} "
                        f"ORDER BY {ORDER} LIMIT ?", [key, *params, limit + 1])
        items = [{**record_view(r), "status": r["status"]} for r in rows[:limit]]
        out[rule["id"]] = {"kind": rule["kind"], "total": len(rows) if len(rows) <= limit else None, "items": items}
    return out


def firm_facts(db: Database, grading: Rules, key: str, moment: Moment) -> FirmFacts:
    """The grade joint measures read (government records only), a current dishonesty listing, the founding day."""
    subject = load_subjects(db, [key], moment).get(key)
    versions, params = version_clause(moment, "e")
    rows = db.query(f"SELECT e.established FROM v_entities e WHERE e.entity_key = ? AND {versions}", [key, *params])
    established = rows[0]["established"] if rows else None
    if subject is None:
        return FirmFacts(None, False, established)
    today = dt.date.fromisoformat(moment.today)
    listed = any(r["kind"] == "dishonesty_listing" for r in subject.records)
    return FirmFacts(grading.measures_grade(subject, today).grade, listed, established)
