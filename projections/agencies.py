"""Credit-service agencies (信用服务机构): the registry and each agency's credit file, as the public may see them.

An agency is a market entity with a filing (kind credit_agency) by its regulator; its file adds
its integrity-service commitments (诚信服务承诺, with their fulfilment) and the complaints about it
that were upheld. Everything goes through projections/public.py's clauses: what is withdrawn or
repaired is not shown.
"""
from __future__ import annotations

import json
from typing import Any

from domain.complaints import COMPLAINT_CASE
from projections.db import Database
from projections.public import Moment, public_clause, reflected_position
from projections.queries import NotPublic, record_view

KIND = "credit_agency"
CODE_OF_CONDUCT = "诚信服务承诺"
UPHELD = ("substantiated", "partly")


def agencies(db: Database, moment: Moment, agency_type: str | None = None) -> dict[str, Any]:
    """Every agency on file at the moment, by name; `agency_type` narrows it (征信机构, 信用评级机构...)."""
    public, params = public_clause(moment)
    rows = db.query(f"SELECT r.* FROM v_records r WHERE r.kind = ? AND {public} ORDER BY r.party_name, r.record_id",
                    [KIND, *params])
    items = [_agency(record_view(r)) for r in rows]
    if agency_type:
        items = [a for a in items if a["agency_type"] == agency_type]
    return {"position": reflected_position(db, moment), "today": moment.today, "agencies": items}


def agency(db: Database, moment: Moment, credit_code: str) -> dict[str, Any]:
    """One agency's file: its filings, its code-of-conduct commitments, the complaints about it upheld."""
    public, params = public_clause(moment)
    with db.snapshot():
        position = reflected_position(db, moment)
        rows = db.query(f"SELECT r.* FROM v_records r WHERE r.credit_code = ? AND r.kind IN (?, ?) AND {public} "
                        "ORDER BY r.decision_date DESC", [credit_code, KIND, "commitment", *params])
        complaints = db.query(
            "SELECT c.number, c.category, c.outcome, c.submitted_on, c.updated_on, c.department FROM v_cases c "
            f"WHERE c.kind = ? AND c.credit_code = ? AND c.outcome IN ({','.join('?' * len(UPHELD))}) "
            "ORDER BY c.updated_on DESC", [COMPLAINT_CASE, credit_code, *UPHELD])
    filings = [_agency(record_view(r)) for r in rows if r["kind"] == KIND]
    if not filings:
        raise NotPublic(credit_code)
    commitments = [record_view(r) for r in rows if r["kind"] == "commitment"
                   and json.loads(r["data"]).get("commitment_type") == CODE_OF_CONDUCT]
    return {"position": position, "today": moment.today, "agency": filings[0], "filings": filings,
            "commitments": commitments, "upheld_complaints": complaints}


def _agency(view: dict[str, Any]) -> dict[str, Any]:
    fields = view["fields"]
    return {**view, "name": view["party_name"], "agency_type": fields.get("agency_type"),
            "status": fields.get("status"), "regulator": fields.get("regulator"),
            "practitioners": fields.get("practitioners", []), "exit_date": fields.get("exit_date")}


def is_agency(db: Database, credit_code: str) -> bool:
    """The code has a current agency filing (withdrawn ones do not count)."""
    return bool(db.execute("SELECT 1 FROM v_records WHERE kind = ? AND credit_code = ? AND valid_to IS NULL "
                           "AND status = 'active' LIMIT 1", (KIND, credit_code)))
