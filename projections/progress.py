"""The plan's progress, measured from the data itself (schemas/progress.json names the tasks and the method):
each metric is a small query over the read models, so a third party can reproduce every figure from the open
datasets and the log. Numbers only; nothing here identifies a person or a case."""
from __future__ import annotations

import datetime as dt
from typing import Any

import schemas
from domain.cases import OBJECTION, REPAIR
from domain.quality import QUALITY_FLAG
from domain.records import REMOVAL_KIND
from projections import disclosure
from projections.db import Database


def _one(db: Database, sql: str, params: tuple = ()) -> int:
    rows = db.query(sql, params)
    value = next(iter(rows[0].values())) if rows else 0
    return int(value or 0)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def departments_submitting(db: Database, today: str) -> dict[str, Any]:
    total = len(schemas.catalog()["departments"])
    submitting = _one(db, "SELECT COUNT(DISTINCT department) AS n FROM v_records WHERE valid_to IS NULL")
    return {"value": submitting, "of": total, "share": _share(submitting, total)}


def catalog_coverage(db: Database, today: str) -> dict[str, Any]:
    kinds = list(schemas.catalog()["sources"])
    present = {r["kind"] for r in db.query("SELECT DISTINCT kind FROM v_records WHERE valid_to IS NULL")}
    present |= {"entity"} if _one(db, "SELECT COUNT(*) AS n FROM v_entities WHERE valid_to IS NULL") else set()
    removed = {r["kind"] for r in db.query("SELECT DISTINCT kind FROM v_records WHERE removed_date IS NOT NULL")}
    present |= {REMOVAL_KIND[k] for k in removed if k in REMOVAL_KIND}  # a removal is an event on its listing
    covered = [k for k in kinds if k in present]
    return {"value": len(covered), "of": len(kinds), "share": _share(len(covered), len(kinds)),
            "missing": [k for k in kinds if k not in present]}


def records_on_time(db: Database, today: str) -> dict[str, Any]:
    total = on_time = 0
    for d in schemas.catalog()["departments"]:
        figures = disclosure.published(db, d["code"], today)
        total, on_time = total + figures["total"], on_time + figures["on_time"]
    return {"value": on_time, "of": total, "share": _share(on_time, total)}


def datasets(db: Database, today: str) -> dict[str, Any]:
    from publishing import definitions  # the catalog of datasets is data of publishing/

    by_theme: dict[str, int] = {}
    for d in definitions.datasets():
        for g in d.groups:
            by_theme[g] = by_theme.get(g, 0) + 1
    return {"value": len(definitions.datasets()), "by_theme": dict(sorted(by_theme.items()))}


def lists_in_force(db: Database, today: str) -> dict[str, Any]:
    rows = db.query("SELECT kind, COUNT(*) AS n FROM v_records WHERE valid_to IS NULL AND status = 'active' "
                    "AND published = 1 AND kind IN ('anomaly_listing', 'dishonesty_listing', 'red_list') "
                    "AND (list_until IS NULL OR list_until > ?) GROUP BY kind ORDER BY kind", (today,))
    counts = {r["kind"]: int(r["n"]) for r in rows}
    return {"value": sum(counts.values()), "by_list": counts}


def cases_on_time(db: Database, today: str) -> dict[str, Any]:
    kinds = (REPAIR, OBJECTION, QUALITY_FLAG)
    rows = db.query(f"SELECT kind, COUNT(*) AS closed, SUM(CASE WHEN late = 0 THEN 1 ELSE 0 END) AS on_time "
                    f"FROM v_cases WHERE stage IS NULL AND kind IN ({','.join('?' * len(kinds))}) GROUP BY kind",
                    kinds)
    by_kind = {r["kind"]: {"closed": int(r["closed"]), "on_time": int(r["on_time"] or 0)} for r in rows}
    closed = sum(v["closed"] for v in by_kind.values())
    on_time = sum(v["on_time"] for v in by_kind.values())
    return {"value": on_time, "of": closed, "share": _share(on_time, closed), "by_kind": by_kind}


def complaints_on_time(db: Database, today: str) -> dict[str, Any]:
    [row] = db.query("SELECT COUNT(*) AS filed, SUM(CASE WHEN stage IS NULL THEN 1 ELSE 0 END) AS closed, "
                     "SUM(CASE WHEN stage IS NULL AND late = 0 THEN 1 ELSE 0 END) AS on_time FROM v_cases "
                     "WHERE kind = 'complaint'")
    closed, on_time = int(row["closed"] or 0), int(row["on_time"] or 0)
    return {"value": on_time, "of": closed, "share": _share(on_time, closed), "filed": int(row["filed"] or 0)}


def trace(db: Database, today: str) -> dict[str, Any]:
    batches = _one(db, "SELECT COUNT(*) AS n FROM v_trace_batches")
    orders = _one(db, "SELECT COUNT(*) AS n FROM v_trace_quality WHERE valid_to IS NULL AND kind IN ('recall', "
                      "'halt')")
    return {"value": batches, "orders": orders}


def projects(db: Database, today: str) -> dict[str, Any]:
    [row] = db.query("SELECT COUNT(*) AS submitted, SUM(CASE WHEN status IN ('approved', 'approved_with_conditions', "
                     "'refused', 'not_accepted') THEN 1 ELSE 0 END) AS decided, SUM(by_commitment) AS by_commitment, "
                     "SUM(CASE WHEN status = 'not_accepted' THEN 1 ELSE 0 END) AS not_accepted FROM v_projects "
                     "WHERE valid_to IS NULL")
    return {"value": int(row["decided"] or 0), "submitted": int(row["submitted"] or 0),
            "by_commitment": int(row["by_commitment"] or 0), "not_accepted": int(row["not_accepted"] or 0)}


def online(db: Database, today: str) -> dict[str, Any]:
    [row] = db.query("SELECT COUNT(*) AS presences, SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END) AS confirmed, "
                     "COUNT(mark_id) AS marks FROM v_online_presences WHERE valid_to IS NULL")
    return {"value": int(row["marks"] or 0), "presences": int(row["presences"] or 0),
            "confirmed": int(row["confirmed"] or 0)}


def lending(db: Database, today: str) -> dict[str, Any]:
    lenders = _one(db, "SELECT COUNT(*) AS n FROM v_lenders")
    [row] = db.query("SELECT COUNT(*) AS applications, SUM(CASE WHEN status = 'granted' THEN 1 ELSE 0 END) AS granted "
                     "FROM v_loan_applications WHERE valid_to IS NULL")
    return {"value": int(row["granted"] or 0), "lenders": lenders, "applications": int(row["applications"] or 0)}


def exchange(db: Database, today: str) -> dict[str, Any]:
    return {"value": 0, "note": "县市省三级交换尚未建设"}


METRICS = {f.__name__: f for f in (departments_submitting, catalog_coverage, records_on_time, datasets, lists_in_force,
                                   cases_on_time, complaints_on_time, trace, projects, online, lending, exchange)}


def progress(db: Database, today: dt.date | str) -> list[dict[str, Any]]:
    """Every task of schemas/progress.json with its figure, in the plan's order."""
    day = today if isinstance(today, str) else today.isoformat()
    return [{**task, "figure": METRICS[task["metric"]](db, day)} for task in schemas.load("progress.json")["tasks"]]
