"""Statistics for the public: records per month by kind, district and department; the grade
distribution; repair and objection turnaround against the legal time limits.

Counts are aggregates over the read models, computed on demand and kept for a short time
(`ttl` seconds): a decision counts in the month of its decision date, in its current
version, unless it was withdrawn (a repaired or expired decision was still made). Minor
penalties that are never published are not counted. No entity is identifiable here.
"""
from __future__ import annotations

import datetime as dt
import statistics as stats
import threading
import time
from collections.abc import Callable
from typing import Any

from domain.cases import OBJECTION, REPAIR
from domain.grading import GRADES
from domain.publicity import add_months
from domain.records import DECISION_KINDS
from domain.workdays import calendar
from projections.db import Database

DIMENSIONS = {"kind": "r.kind", "district": "r.district", "department": "r.department"}


def month_range(today: dt.date, months: int) -> list[str]:
    """The last `months` calendar months up to today's, oldest first, as YYYY-MM."""
    first = add_months(today.replace(day=1), -(months - 1))
    return [add_months(first, i).strftime("%Y-%m") for i in range(months)]


class Statistics:
    def __init__(self, db: Database, ttl: float = 300):
        self.db, self.ttl = db, ttl
        self._cache: dict[tuple, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _cached(self, key: tuple, compute: Callable[[], Any]) -> Any:
        with self._lock:
            hit = self._cache.get(key)
            if hit and hit[0] > time.monotonic():
                return hit[1]
        value = compute()
        with self._lock:
            self._cache[key] = (time.monotonic() + self.ttl, value)
        return value

    def monthly(self, dimension: str, today: dt.date, months: int = 24) -> dict[str, Any]:
        """{"months": [...], "series": {key: [count per month]}} for one dimension (kind, district, department)."""
        return self._cached(("monthly", dimension, today, months), lambda: self._monthly(dimension, today, months))

    def _monthly(self, dimension: str, today: dt.date, months: int) -> dict[str, Any]:
        column = DIMENSIONS[dimension]
        labels = month_range(today, months)
        index = {m: i for i, m in enumerate(labels)}
        kinds = ",".join(f"'{k}'" for k in DECISION_KINDS)
        rows = self.db.execute(
            f"SELECT substr(r.decision_date, 1, 7) AS month, {column} AS key, COUNT(*) FROM v_records r "
            f"WHERE r.valid_to IS NULL AND r.kind IN ({kinds}) AND r.status <> 'withdrawn' AND r.published = 1 "
            "AND r.decision_date >= ? AND r.decision_date <= ? GROUP BY 1, 2",
            (f"{labels[0]}-01", today.isoformat()))
        series: dict[str, list[int]] = {}
        for month, key, count in rows:
            series.setdefault(key or "", [0] * len(labels))[index[month]] += int(count)
        ordered = dict(sorted(series.items(), key=lambda kv: (-sum(kv[1]), kv[0])))
        return {"months": labels, "series": ordered}

    def grades(self) -> dict[str, Any]:
        """Entities per grade, overall and per district, from the grades projection."""
        return self._cached(("grades",), self._grades)

    def _grades(self) -> dict[str, Any]:
        overall = {g: 0 for g in GRADES}
        by_district: dict[str, dict[str, int]] = {}
        for district, grade, count in self.db.execute(
                "SELECT district, grade, COUNT(*) FROM s_grades GROUP BY district, grade"):
            overall[grade] += int(count)
            by_district.setdefault(district or "", {g: 0 for g in GRADES})[grade] += int(count)
        computed = self.db.execute("SELECT MIN(today), MAX(today) FROM s_grades")
        return {"overall": overall, "by_district": dict(sorted(by_district.items())),
                "computed_between": list(computed[0]) if computed and computed[0][0] else None}

    def turnaround(self, today: dt.date) -> dict[str, Any]:
        """Repair and objection cases: closed on time or late, open and overdue, median working days."""
        return self._cached(("turnaround", today), lambda: self._turnaround(today))

    def _turnaround(self, today: dt.date) -> dict[str, Any]:
        if not self.db.table_exists("v_cases"):
            return {"available": False,
                    "reason": "信用修复和异议处理的案件视图（v_cases）尚未启用 / the case read model is not enabled"}
        days = calendar()
        out: dict[str, Any] = {"available": True, "today": today.isoformat(), "kinds": {}}
        for kind in (REPAIR, OBJECTION):
            rows = self.db.query("SELECT stage, due, submitted_on, updated_on, late FROM v_cases WHERE kind=?", (kind,))
            closed = [r for r in rows if r["stage"] is None]
            open_ = [r for r in rows if r["stage"] is not None]
            spent = [days.working_days_between(r["submitted_on"], r["updated_on"]) for r in closed]
            out["kinds"][kind] = {
                "closed": len(closed), "closed_late": sum(1 for r in closed if r["late"]),
                "open": len(open_), "open_overdue": sum(1 for r in open_ if r["due"] and r["due"] < today.isoformat()),
                "median_working_days": stats.median(spent) if spent else None,
                "max_working_days": max(spent) if spent else None,
            }
        return out

    def rows(self, today: dt.date, months: int = 24) -> list[dict[str, Any]]:
        """Every number above as flat rows (dataset, dimension, key, month, count): the download."""
        out = []
        for dimension in DIMENSIONS:
            monthly = self.monthly(dimension, today, months)
            for key, counts in monthly["series"].items():
                out += [{"dataset": "records_per_month", "dimension": dimension, "key": key, "month": m, "count": c}
                        for m, c in zip(monthly["months"], counts)]
        grades = self.grades()
        out += [{"dataset": "grades", "dimension": "grade", "key": g, "month": "", "count": n}
                for g, n in grades["overall"].items()]
        for district, counts in grades["by_district"].items():
            out += [{"dataset": "grades_by_district", "dimension": f"district:{district}", "key": g, "month": "",
                     "count": n} for g, n in counts.items()]
        turnaround = self.turnaround(today)
        for kind, numbers in turnaround.get("kinds", {}).items():
            out += [{"dataset": "case_turnaround", "dimension": kind, "key": k, "month": "", "count": v}
                    for k, v in numbers.items()]
        return out
