"""Early warnings (信用风险预警): signs that an entity is heading for trouble.

The rules and their numbers are data (schemas/warnings.json); each `rule` names one of
the functions below. A warning names its rule and the records that raised it. Pure
functions over the plain dicts described in domain/evidence.py.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.evidence import Record, day, license_in_force, of_kind, reference, within_months
from domain.rulesets import in_force


@dataclass(frozen=True)
class Warning:
    rule: str
    name: str
    level: str
    message: str
    records: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "name": self.name, "level": self.level, "message": self.message,
                "records": self.records}


Found = tuple[dict[str, Any], list[dict[str, Any]]]  # (numbers for the message, evidence)


def _recent(records: Sequence[Record], months: int, today: dt.date) -> list[Record]:
    return [r for r in records if r["decision_date"] <= today.isoformat()
            and within_months(r["decision_date"], months, today)]


def penalty_burst(rule: dict[str, Any], entity: dict[str, Any] | None, records: Sequence[Record],
                  today: dt.date) -> Found | None:
    """Several penalties within a short time."""
    recent = _recent(of_kind(records, "penalty"), rule["within_months"], today)
    if len(recent) < rule["count"]:
        return None
    return {"n": len(recent)}, [reference(r) for r in recent]


def broken_commitment(rule: dict[str, Any], entity: dict[str, Any] | None, records: Sequence[Record],
                      today: dt.date) -> Found | None:
    """A credit commitment recorded as not fulfilled (未履约)."""
    broken = [r for r in _recent(of_kind(records, "commitment"), rule["within_months"], today)
              if r["data"].get("fulfilment") == "未履约"]
    return ({"n": len(broken)}, [reference(r) for r in broken]) if broken else None


def anomaly_with_licenses(rule: dict[str, Any], entity: dict[str, Any] | None, records: Sequence[Record],
                          today: dt.date) -> Found | None:
    """On the business-anomaly list while still holding licences in force."""
    listed = of_kind(records, "anomaly_listing")
    licences = [r for r in of_kind(records, "license") if license_in_force(r, today)]
    if not listed or len(licences) < rule["min_licenses"]:
        return None
    return {"n": len(licences)}, [reference(r) for r in (*listed, *licences)]


def representative_change_after_penalty(rule: dict[str, Any], entity: dict[str, Any] | None,
                                        records: Sequence[Record], today: dt.date) -> Found | None:
    """A change of legal representative shortly after a penalty (the latest such change counts)."""
    versions = [v for v in (entity or {}).get("versions", ()) if v.get("version", 0) >= 1]
    penalties = of_kind(records, "penalty")
    for before, after in reversed(list(zip(versions, versions[1:]))):
        if before.get("legal_representative") == after.get("legal_representative") or not after.get("change_date"):
            continue
        changed = day(after["change_date"])
        if not within_months(changed, rule["recent_months"], today):
            return None
        near = [p for p in penalties
                if 0 <= (changed - day(p["decision_date"])).days <= rule["within_days"]]
        if near:
            closest = min((changed - day(p["decision_date"])).days for p in near)
            numbers = {"change_date": changed.isoformat(), "before": before.get("legal_representative"),
                       "after": after.get("legal_representative"), "days": closest}
            change = {"entity_version": after["version"], "position": after["position"],
                      "change_date": changed.isoformat()}
            return numbers, [change, *(reference(p) for p in near)]
    return None


RULES: dict[str, Callable[..., Found | None]] = {
    f.__name__: f for f in (penalty_burst, broken_commitment, anomaly_with_licenses,
                            representative_change_after_penalty)
}


def rules_for(config: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The warning rule set in force on `today`."""
    return in_force(config["rule_sets"], today)


def evaluate(rule_set: dict[str, Any], entity: dict[str, Any] | None, records: Sequence[Record],
             today: dt.date) -> list[Warning]:
    """Every warning the rule set raises for one entity, in the rule set's order."""
    warnings = []
    for rule in rule_set["rules"]:
        found = RULES[rule["rule"]](rule, entity, records, today)
        if found is None:
            continue
        numbers, evidence = found
        message = rule["explain"].format(**{**rule, **numbers})
        warnings.append(Warning(rule["id"], rule["name"], rule["level"], message, evidence))
    return warnings
