"""What a department's disclosure page reads from the ledger: the records it published by month with their
timeliness, its spot-check results, its complaint statistics, and the catalog items it is the one source of.

Timeliness: a decision is public on time when it reached the platform (the day, in China, of its first version)
within 7 working days of its decision date (DOMAIN.md: decisions go public within 7 working days; working days
by schemas/calendar.json). History loaded in bulk counts as late on the day it was loaded: the figure is what
the public could see, when.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import schemas
from domain.clock import china_day
from domain.publicity import PUBLISH_WITHIN_WORKING_DAYS, published_on_time
from projections.cases import complaint_statistics
from projections.db import Database

PUBLISHED_KINDS = ("license", "penalty", "commitment", "anomaly_listing", "dishonesty_listing", "red_list",
                   "abnormal_mark")
MONTHS = 12



def published(db: Database, department: str, today: str) -> dict[str, Any]:
    """Per month (the last 12 of decision dates) and kind: decisions published, how many on time; and the totals."""
    since = (dt.date.fromisoformat(today).replace(day=1) - dt.timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    marks = ",".join("?" * len(PUBLISHED_KINDS))
    rows = db.query(f"SELECT r.kind, r.decision_date, r.recorded_at FROM v_records r WHERE r.department = ? "
                    f"AND r.version = 1 AND r.kind IN ({marks}) AND r.decision_date >= ? AND r.published = 1 "
                    "ORDER BY r.decision_date", (department, *PUBLISHED_KINDS, since.isoformat()))
    months: dict[str, dict[str, Any]] = {}
    total = on_time = 0
    for r in rows:
        month = r["decision_date"][:7]
        entry = months.setdefault(month, {"month": month, "total": 0, "on_time": 0, "kinds": {}})
        timely = bool(r["recorded_at"]) and published_on_time(r["decision_date"], china_day(r["recorded_at"]))
        entry["total"] += 1
        entry["on_time"] += timely
        entry["kinds"][r["kind"]] = entry["kinds"].get(r["kind"], 0) + 1
        total += 1
        on_time += timely
    for entry in months.values():
        entry["on_time_rate"] = round(entry["on_time"] / entry["total"], 3)
    return {"months": sorted(months.values(), key=lambda m: m["month"], reverse=True), "total": total,
            "on_time": on_time, "on_time_rate": round(on_time / total, 3) if total else None, "since": since.isoformat(),
            "days": PUBLISH_WITHIN_WORKING_DAYS}


def spot_checks(db: Database, department: str) -> list[dict[str, Any]]:
    """The department's spot-check draws (current results): day drawn, seed, results by outcome."""
    rows = db.query("SELECT draw_id, drawn_on, seed, outcome_name, COUNT(*) AS n FROM v_inspection_results "
                    "WHERE department_code = ? AND valid_to IS NULL GROUP BY draw_id, drawn_on, seed, outcome_name "
                    "ORDER BY drawn_on DESC, draw_id, outcome_name", (department,))
    draws: dict[str, dict[str, Any]] = {}
    for r in rows:
        draw = draws.setdefault(r["draw_id"], {"draw_id": r["draw_id"], "drawn_on": r["drawn_on"], "seed": r["seed"],
                                               "outcomes": {}, "total": 0})
        draw["outcomes"][r["outcome_name"] or "待检查"] = r["n"]
        draw["total"] += r["n"]
    return list(draws.values())


def complaints(db: Database, department: str, today: str) -> list[dict[str, Any]]:
    return [r for r in complaint_statistics(db, today) if r["department"] == department]


def catalog_items(department: str) -> list[dict[str, Any]]:
    """The kinds (and list types) this department is the one source of (schemas/catalog.json)."""
    glossary = schemas.glossary()["kinds"]
    out = []
    for kind, source in schemas.catalog()["sources"].items():
        label = glossary.get(kind, {}).get("label", kind)
        if source["rule"] == "department" and source["department"] == department:
            out.append({"kind": kind, "label": label, "scope": "全部"})
        elif source["rule"] in ("by_list_type", "by_category"):
            mapping = source.get("by_list_type") or source.get("by_category") or {}
            mine = sorted(k for k, v in mapping.items() if v == department)
            if source["rule"] == "by_category" and source.get("default") == department:
                out.append({"kind": kind, "label": label, "scope": "除另有规定的类别外"})
            elif mine:
                out.append({"kind": kind, "label": label, "scope": "、".join(mine)})
        elif source["rule"] == "deciding_authority":
            out.append({"kind": kind, "label": label, "scope": "本部门作出的决定"})
    return out
