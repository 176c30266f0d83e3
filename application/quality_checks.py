"""The platform's own data-quality checks, every night (gongshi serve's daily jobs) and on demand (`gongshi quality
check`): each finding becomes a data-quality flag to the record's source department (domain/quality.py), filed by
the rule, so the same answers and limits apply. A finding already flagged and open is not flagged again (the
record's docket links it), so the job may run any number of times.

Checks (schemas/quality.json `checks`):
- late_publication: a decision that reached the platform more than 7 working days after its decision date.
  History a department loaded in bulk is not flagged: decisions dated before the department's first day on the
  platform are its backlog, not late publications;
- expired_licence: a licence whose validity ended before today still marked valid (state 1);
- name_mismatch: a record's party name that is not its credit code's registered name (compared normalised:
  full-width to half-width, brackets unified, spaces dropped), checked against the entity's current name.
"""
from __future__ import annotations

import datetime as dt
import json
import unicodedata
from typing import Any

from application.quality import QualityFlags
from domain.cases import Actor
from domain.clock import china_day
from domain.errors import ValidationFailed
from domain.publicity import published_on_time
from domain.quality import rules
from projections.db import Database

RULE = "rule:quality-check"


def normalised_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(text.replace("（", "(").replace("）", ")").split())



def findings(db: Database, today: dt.date) -> list[tuple[str, str, dict[str, Any]]]:
    """(check, record_id, facts) for every current public record a check finds a problem in."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    firsts = {r["department"]: china_day(r["first"]) for r in db.query(
        "SELECT department, MIN(recorded_at) AS first FROM v_records GROUP BY department") if r["first"]}
    for r in db.stream("SELECT record_id, department, decision_date, recorded_at FROM v_records WHERE version = 1 "
                       "AND valid_to IS NULL AND status = 'active' AND published = 1 AND decision_date IS NOT NULL",
                       ()):
        record_id, department, decided, recorded = r
        if not recorded or decided < firsts.get(department, ""):
            continue
        arrived = china_day(recorded)
        if not published_on_time(decided, arrived):
            out.append(("late_publication", record_id, {"decision_date": decided, "arrived": arrived}))
    for record_id, data in db.stream("SELECT record_id, data FROM v_records WHERE kind = 'license' AND valid_to IS "
                                     "NULL AND status = 'active' AND published = 1", ()):
        fields = json.loads(data)
        if fields.get("state") == "1" and fields.get("valid_to") and fields["valid_to"] < today.isoformat():
            out.append(("expired_licence", record_id, {"valid_to": fields["valid_to"]}))
    originals = dict(db.stream("SELECT credit_code, name FROM v_entities WHERE valid_to IS NULL AND credit_code IS "
                               "NOT NULL", ()))
    names = {code: normalised_name(name) for code, name in originals.items()}
    for record_id, code, party in db.stream("SELECT record_id, credit_code, party_name FROM v_records WHERE "
                                            "valid_to IS NULL AND status = 'active' AND published = 1 AND "
                                            "credit_code IS NOT NULL AND party_name IS NOT NULL", ()):
        if code in names and normalised_name(party) != names[code]:
            out.append(("name_mismatch", record_id, {"party_name": party, "credit_code": code,
                                                      "name": originals[code]}))
    return out


class QualityChecks:
    def __init__(self, flags: QualityFlags, db: Database):
        self.flags, self.db = flags, db

    def run(self, today: dt.date) -> dict[str, int]:
        """Flag every finding (once while its flag is open); counts per check of findings and new flags."""
        counts: dict[str, int] = {}
        checks = rules()["checks"]
        for check, record_id, facts in findings(self.db, today):
            counts[check] = counts.get(check, 0) + 1
            data = {"record_id": record_id, "problem": checks[check]["problem"],
                    "note": checks[check]["note"].format(**facts)}
            try:
                _, _, linked = self.flags.file(data, Actor(f"{RULE}:{check}"), f"{RULE}:{check}", today)
            except ValidationFailed:
                continue  # the record stopped being public in between
            if not linked:
                counts[f"{check}_flagged"] = counts.get(f"{check}_flagged", 0) + 1
        return counts
