"""Joint rewards and punishments (联合奖惩): which measures apply to an entity, and why.

The measures are data (schemas/measures.json). A measure applies when one of its triggers
matches a counting record (a list type, a penalty category or fine, a broken commitment,
a red list) or the entity's grade, within the measure's duration. The answer for a
business is `restricted` when a punishment applies, else `incentive` when an incentive
applies (incentives are withheld while any punishment applies), else `none`; it names
each measure and the records that triggered it. Pure functions over domain/evidence.py dicts.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.evidence import Record, day, reference, within_months
from domain.publicity import add_months
from domain.rulesets import covers

PUNISHMENT, INCENTIVE = "punishment", "incentive"
RESTRICTED, INCENTIVES, NONE = "restricted", "incentive", "none"
DURATION_RULES = ("while_listed", "while_public", "months_after_decision", "while_grade")


class UnknownMeasureError(LookupError):
    """The asked measure is neither a measure id nor a business of the catalog."""

    def __init__(self, asked: str, catalog: Mapping[str, Any]):
        super().__init__(asked)
        self.asked = asked
        self.choices = [*catalog["businesses"], *(m["id"] for m in catalog["measures"])]


@dataclass(frozen=True)
class Applied:
    """A measure that applies, the evidence that triggered it and when it ends at the latest."""

    measure: dict[str, Any]
    triggers: list[dict[str, Any]]
    until: str | None

    def as_dict(self) -> dict[str, Any]:
        m = self.measure
        out = {k: m[k] for k in ("id", "type", "name", "businesses", "legal_basis", "action", "lifted_on_repair")}
        out["duration"] = m["duration"]["text"]
        if "lifted_note" in m:
            out["lifted_note"] = m["lifted_note"]
        out["until"] = self.until
        out["triggers"] = self.triggers
        return out


@dataclass(frozen=True)
class Outcome:
    """The answer to "may this entity receive X?" with the measures behind it."""

    result: str
    applied: list[Applied] = field(default_factory=list)
    withheld: list[Applied] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"result": self.result, "measures": [a.as_dict() for a in self.applied],
                "withheld_incentives": [a.as_dict() for a in self.withheld]}


def measures_for(catalog: Mapping[str, Any], asked: str | None, today: dt.date) -> list[dict[str, Any]]:
    """The in-force measures a question is about: one measure id, one business, or all (None)."""
    measures = [m for m in catalog["measures"] if covers(m["in_force"], today)]
    if not asked:
        return measures
    if asked in catalog["businesses"]:
        return [m for m in measures if asked in m["businesses"]]
    if any(m["id"] == asked for m in catalog["measures"]):
        return [m for m in measures if m["id"] == asked]
    raise UnknownMeasureError(asked, catalog)


def _matches(trigger: dict[str, Any], record: Record) -> bool:
    if record["kind"] != trigger.get("kind"):
        return False
    list_types = trigger.get("list_types", "*")
    if list_types != "*" and record.get("list_type") not in list_types:
        return False
    data = record["data"]
    if "categories" in trigger and not set(trigger["categories"]) & set(data.get("categories") or ()):
        return False
    if "min_fine" in trigger and float(data.get("fine") or 0) < trigger["min_fine"]:
        return False
    return "fulfilment" not in trigger or data.get("fulfilment") == trigger["fulfilment"]


def _until(measure: dict[str, Any], record: Record) -> str | None:
    """The day the measure ends for this record unless lifted earlier (None: open-ended)."""
    ends = [record.get("list_until"), record.get("public_until")]
    duration = measure["duration"]
    if duration["rule"] == "months_after_decision":
        ends.append(add_months(day(record["decision_date"]), duration["months"]).isoformat())
    known = [e for e in ends if e]
    return min(known) if known else None


def triggers_of(measure: dict[str, Any], records: Sequence[Record], grade: str | None,
                today: dt.date) -> Applied | None:
    """The evidence for one measure, or None when nothing triggers it."""
    duration = measure["duration"]
    evidence: list[dict[str, Any]] = []
    ends: list[str | None] = []
    for trigger in measure["triggers"]:
        if "grade" in trigger:
            if grade in trigger["grade"]:
                evidence.append({"grade": grade})
                ends.append(None)
            continue
        for record in records:
            if not _matches(trigger, record):
                continue
            if duration["rule"] == "months_after_decision" and not within_months(
                    record["decision_date"], duration["months"], today):
                continue
            until = _until(measure, record)
            evidence.append(reference(record, until=until))
            ends.append(until)
    if not evidence:
        return None
    until = None if any(e is None for e in ends) else max(e for e in ends if e)
    return Applied(measure, evidence, until)


def evaluate(catalog: Mapping[str, Any], records: Sequence[Record], grade: str | None, today: dt.date,
             asked: str | None = None) -> Outcome:
    """Answer for a business or measure (`asked`; None means every measure)."""
    relevant = measures_for(catalog, asked, today)
    punishments = [a for m in relevant if m["type"] == PUNISHMENT if (a := triggers_of(m, records, grade, today))]
    incentives = [a for m in relevant if m["type"] == INCENTIVE if (a := triggers_of(m, records, grade, today))]
    if punishments:
        return Outcome(RESTRICTED, punishments, incentives)
    if incentives and catalog.get("incentives_withheld_when_restricted"):
        anywhere = measures_for(catalog, None, today)
        if any(triggers_of(m, records, grade, today) for m in anywhere if m["type"] == PUNISHMENT):
            return Outcome(NONE, [], incentives)
    return Outcome(INCENTIVES if incentives else NONE, incentives)


def catalog_problems(catalog: Mapping[str, Any], list_types: Mapping[str, Sequence[str]],
                     penalty_categories: Sequence[str]) -> list[str]:
    """Inconsistencies in a measure catalog (unknown business, list type, category, rule...)."""
    problems, seen = [], set()
    for m in catalog["measures"]:
        where = m.get("id", "?")
        if where in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(where)
        if m["type"] not in (PUNISHMENT, INCENTIVE):
            problems.append(f"{where}: type {m['type']}")
        problems += [f"{where}: unknown business {b}" for b in m["businesses"] if b not in catalog["businesses"]]
        if m["duration"]["rule"] not in DURATION_RULES:
            problems.append(f"{where}: duration rule {m['duration']['rule']}")
        if m["duration"]["rule"] == "months_after_decision" and not m["duration"].get("months"):
            problems.append(f"{where}: months_after_decision needs months")
        for t in m["triggers"]:
            kind = t.get("kind")
            if "grade" in t:
                continue
            if kind not in ("penalty", "commitment", *list_types):
                problems.append(f"{where}: unknown trigger kind {kind}")
            wanted = t.get("list_types", "*")
            if wanted != "*":
                problems += [f"{where}: unknown list type {x}" for x in wanted if x not in list_types.get(kind, ())]
            problems += [f"{where}: unknown category {c}" for c in t.get("categories", ()) if c not in penalty_categories]
    return problems
