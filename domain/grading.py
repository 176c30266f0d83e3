"""Credit-risk grades (信用风险分类 A/B/C/D) from an entity's counting records.

The scoring model is data (schemas/grading.json): a base score, indicators that add or
subtract points per record (with a step decay by age), caps per indicator, and "at most
grade X" limits (一票否决). Every grade explains itself: each indicator's points and the
records behind them. Pure functions over the plain dicts described in domain/evidence.py.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from domain.evidence import Record, license_in_force, reference, within_months
from domain.rulesets import in_force

GRADES = ("A", "B", "C", "D")  # best first
#: Record kinds that come from society (confirmed contributions), not from a department's decision.
SOCIETY_SOURCED = ("society_info",)


def government_only(records: list[Record]) -> list[Record]:
    """The records that are government decisions: what joint rewards and punishments may rest on."""
    return [r for r in records if r["kind"] not in SOCIETY_SOURCED]


@dataclass(frozen=True)
class IndicatorScore:
    """One indicator's contribution: its points (after the cap) and each record counted."""

    id: str
    name: str
    points: float
    counted: list[dict[str, Any]]
    max_grade: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "name": self.name, "points": self.points, "records": self.counted}
        if self.max_grade:
            out["max_grade"] = self.max_grade
        return out


@dataclass(frozen=True)
class Grade:
    """A grade with its score, the model it came from and the indicators that made it."""

    grade: str
    score: float
    model: str
    base: float
    today: str
    indicators: list[IndicatorScore] = field(default_factory=list)
    limited_by: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"grade": self.grade, "score": self.score, "model": self.model, "base": self.base,
                "today": self.today, "indicators": [i.as_dict() for i in self.indicators],
                "limited_by": self.limited_by}


def model_for(config: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The grading model in force on `today`."""
    return in_force(config["models"], today)


def decay_factor(model: dict[str, Any], decided: str, today: dt.date) -> float:
    """The step factor for a record decided on `decided`: 0 once past the last step."""
    for step in model["decay"]["steps"]:
        if within_months(decided, step["under_months"], today):
            return step["factor"]
    return 0.0


def worse(a: str, b: str | None) -> str:
    return a if b is None or GRADES.index(a) >= GRADES.index(b) else b


def grade_for_score(model: dict[str, Any], score: float) -> str:
    for band in model["grades"]:
        if band["min_score"] is None or score >= band["min_score"]:
            return band["grade"]
    raise ValueError("the grading model has no grade without a minimum score")


def _selected(select: dict[str, Any], record: Record, today: dt.date) -> bool:
    if "fulfilment" in select and record["data"].get("fulfilment") != select["fulfilment"]:
        return False
    return not select.get("in_force") or license_in_force(record, today)


def _record_points(indicator: dict[str, Any], record: Record) -> float:
    points = indicator["points"]
    if isinstance(points, dict):
        if points["by"] == "severity":
            key = (record.get("publicity") or {}).get("severity", "general")
        else:
            key = record.get(points["by"])
        points = points["values"].get(key, points.get("default", 0))
    fine = float(record["data"].get("fine") or 0)
    for band in indicator.get("fine_bands", ()):
        if fine >= band["at_least"]:
            points += band["points"]
            break
    return points


def _capped(total: float, cap: float | None) -> float:
    if cap is None:
        return total
    return max(-cap, min(cap, total))


def _score_indicator(model: dict[str, Any], indicator: dict[str, Any], entity: dict[str, Any] | None,
                     by_kind: dict[str, list[Record]], today: dt.date) -> IndicatorScore | None:
    select = indicator["select"]
    counted: list[dict[str, Any]] = []
    total = 0.0
    if "entity_status" in select:
        status = (entity or {}).get("status")
        if status in select["entity_status"]:
            total = float(indicator["points"])
            counted.append({"entity_status": status, "points": total})
    else:
        for record in by_kind.get(select["kind"], ()):
            if not _selected(select, record, today):
                continue
            factor = decay_factor(model, record["decision_date"], today) if indicator.get("decay") else 1.0
            if factor == 0:
                continue
            points = round(_record_points(indicator, record) * factor, 2)
            total += points
            counted.append(reference(record, points=points, factor=factor))
    if not counted:
        return None
    return IndicatorScore(indicator["id"], indicator["name"], round(_capped(total, indicator.get("cap")), 2),
                          counted, indicator.get("max_grade"))


def grade_entity(model: dict[str, Any], entity: dict[str, Any] | None, records: list[Record],
                 today: dt.date) -> Grade:
    """Grade one entity from its counting records under `model`."""
    by_kind: dict[str, list[Record]] = {}
    for record in records:
        by_kind.setdefault(record["kind"], []).append(record)
    scores = [s for ind in model["indicators"] if (s := _score_indicator(model, ind, entity, by_kind, today))]
    score = round(model["base_score"] + sum(s.points for s in scores), 2)
    grade = grade_for_score(model, score)
    limited_by = []
    for s in scores:
        if s.max_grade and worse(grade, s.max_grade) != grade:
            limited_by.append(s.id)
        grade = worse(grade, s.max_grade)
    return Grade(grade, score, model["id"], model["base_score"], today.isoformat(), scores, limited_by)


def inspection_quota(ratio: float, population: int) -> int:
    """How many of a grade's entities to inspect: the ratio of them, rounded up."""
    return min(population, math.ceil(round(ratio * population, 9)))
