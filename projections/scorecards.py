"""Department scorecards (部门评价): per department and month, computed from the ledger's read models.

Figures, each with its method (shown on /scorecards): decisions recorded per kind (first versions, by the
month they reached the platform); the share of those decided in a month that reached it within 7 working days
(the 双公示 rule, projections/disclosure.py); corrections and withdrawals it made; objections against its
records upheld (the record corrected, supplemented or withdrawn); repair and objection cases it decided, and how
many within every limit; data-quality flags it answered, and how many on time; and its catalog coverage (the
decision kinds it is the one source of that it has submitted). Not measured: submissions refused at the door (the
platform keeps the refusals in each answer and the import's rejects file, not in the log).
"""
from __future__ import annotations

from typing import Any

import schemas
from domain.cases import OBJECTION, REPAIR
from domain.objections import CORRECTED, RECORD_WITHDRAWN, SUPPLEMENTED
from domain.quality import QUALITY_FLAG
from domain.records import DECISION_KINDS
from projections import disclosure
from projections.db import Database

UPHELD = (CORRECTED, SUPPLEMENTED, RECORD_WITHDRAWN)



def scorecard(db: Database, department: str, today: str) -> dict[str, Any]:
    """One department's figures, per month (newest first) and in total."""
    recorded = db.query("SELECT substr(recorded_at, 1, 7) AS month, kind, COUNT(*) AS n FROM v_records "
                        "WHERE department = ? AND version = 1 GROUP BY 1, 2 ORDER BY 1, 2", (department,))
    changes = db.query("SELECT substr(recorded_at, 1, 7) AS month, "
                       "SUM(CASE WHEN event = 'corrected' THEN 1 ELSE 0 END) AS corrections, "
                       "SUM(CASE WHEN event = 'withdrawn' THEN 1 ELSE 0 END) AS withdrawals FROM v_records "
                       "WHERE department = ? AND event IN ('corrected', 'withdrawn') GROUP BY 1", (department,))
    marks = ",".join("?" * len(UPHELD))
    cases = db.query(f"SELECT substr(updated_on, 1, 7) AS month, kind, COUNT(*) AS decided, "
                     f"SUM(CASE WHEN late = 0 THEN 1 ELSE 0 END) AS on_time, "
                     f"SUM(CASE WHEN kind = ? AND outcome IN ({marks}) THEN 1 ELSE 0 END) AS upheld "
                     "FROM v_cases WHERE department = ? AND stage IS NULL AND kind IN (?, ?, ?) GROUP BY 1, 2",
                     (OBJECTION, *UPHELD, department, REPAIR, OBJECTION, QUALITY_FLAG))
    timeliness = disclosure.published(db, department, today)
    months: dict[str, dict[str, Any]] = {}

    def month(m: str) -> dict[str, Any]:
        return months.setdefault(m, {"month": m, "recorded": {}, "recorded_total": 0, "corrections": 0,
                                     "withdrawals": 0, "cases": {}, "objections_upheld": 0})

    for r in recorded:
        entry = month(r["month"])
        entry["recorded"][r["kind"]] = int(r["n"])
        entry["recorded_total"] += int(r["n"])
    for r in changes:
        month(r["month"]).update(corrections=int(r["corrections"] or 0), withdrawals=int(r["withdrawals"] or 0))
    for r in cases:
        entry = month(r["month"])
        entry["cases"][r["kind"]] = {"decided": int(r["decided"]), "on_time": int(r["on_time"] or 0)}
        entry["objections_upheld"] += int(r["upheld"] or 0)
    for m in timeliness["months"]:
        month(m["month"]).update(decided=m["total"], published_on_time=m["on_time"], on_time_rate=m["on_time_rate"])
    sources = [i for i in disclosure.catalog_items(department) if i["scope"] != "本部门作出的决定"]
    submitted = {r["kind"] for r in recorded}
    own = [i["kind"] for i in sources if i["kind"] in DECISION_KINDS]  # removals are events on listings
    closed = [c for r in months.values() for c in r["cases"].values()]
    return {"department": department, "months": sorted(months.values(), key=lambda m: m["month"], reverse=True),
            "totals": {"recorded": sum(m["recorded_total"] for m in months.values()),
                       "on_time_rate": timeliness["on_time_rate"],
                       "corrections": sum(m["corrections"] for m in months.values()),
                       "withdrawals": sum(m["withdrawals"] for m in months.values()),
                       "objections_upheld": sum(m["objections_upheld"] for m in months.values()),
                       "cases_decided": sum(c["decided"] for c in closed),
                       "cases_on_time": sum(c["on_time"] for c in closed)},
            "coverage": {"sources": own, "submitted": [k for k in own if k in submitted],
                         "share": round(len([k for k in own if k in submitted]) / len(own), 3) if own else None}}


def ranking(db: Database, today: str) -> list[dict[str, Any]]:
    """Every department's totals, ranked by the share published on time, then by records (departments with no
    decision in the period last)."""
    rows = []
    for d in schemas.catalog()["departments"]:
        card = scorecard(db, d["code"], today)
        rows.append({"code": d["code"], "name": d["name"], **card["totals"], "coverage": card["coverage"]["share"]})
    rows.sort(key=lambda r: (r["on_time_rate"] is None, -(r["on_time_rate"] or 0), -r["recorded"], r["code"]))
    for rank, r in enumerate(rows, start=1):
        r["rank"] = rank
    return rows
