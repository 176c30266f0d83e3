"""Trusted-site certification (电子商务网站可信认证): the criteria are data (schemas/online.json `certification`).

An operator with at least one confirmed online presence is certified when every criterion holds:
registration active; the licences its presences' categories need are in force; not on the serious
dishonesty list; no penalty for false advertising or counterfeits (violation words, data) decided in
the last N months [U: 24]; the report of the last year whose filing deadline has passed is filed.

The verdict is a pure function of (facts, rules, day): nothing is stored, so a record that arrives
or a day that passes changes the next answer (projections/online.certification_facts reads the
facts from the current read models); a rule change is a change of the data file, and the next
reading of every operator follows it (bench/online_bench.py measures re-evaluating 100,000).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from domain import online
from domain.annual_reports import deadline
from domain.publicity import add_months


@dataclass(frozen=True)
class OperatorFacts:
    """What the criteria read about one operator, from public records and its filings."""

    credit_code: str
    status: str | None  # registration status (None: not registered here)
    categories: frozenset[str]  # of its confirmed presences
    licenses: tuple[str, ...]  # license types in force
    dishonesty_listed: bool
    penalties: tuple[tuple[str, str], ...]  # (decision day, violation text) of active, published penalties
    report_years: frozenset[int] = field(default_factory=frozenset)  # years whose annual report is filed


def rules() -> dict[str, Any]:
    return online.rules()["certification"]


def required_report_year(today: dt.date) -> int:
    """The last year whose annual report deadline (30 June of the next year) has passed."""
    return today.year - 1 if deadline(today.year - 1) < today else today.year - 2


def evaluate(facts: OperatorFacts, today: dt.date) -> dict[str, Any]:
    """{"certified", "criteria": [{"id", "passed", "zh", "en", "detail"}]} in the order of the rules."""
    months = rules()["penalty_months"]
    needed = {lic for c in online.rules()["categories"] if c["id"] in facts.categories for lic in c["licenses"]}
    missing = sorted(lic for lic in needed if not any(lic in held for held in facts.licenses))
    criteria = {c["id"]: c for c in rules()["criteria"]}
    words = criteria["no_false_advertising_penalty"]["violation_words"]
    since = add_months(today, -months).isoformat()
    hits = [(day, text) for day, text in facts.penalties if day >= since and any(w in text for w in words)]
    year = required_report_year(today)
    checks = {
        "registration": (facts.status in online.rules()["mark"]["active_statuses"], facts.status or "未在本市登记"),
        "licenses": (not missing, "缺少：" + "、".join(missing) if missing else "、".join(sorted(needed)) or "该类别无需许可"),
        "no_dishonesty_listing": (not facts.dishonesty_listed, "已列入" if facts.dishonesty_listed else "未列入"),
        "no_false_advertising_penalty": (not hits, "；".join(f"{d} {t}" for d, t in hits) or "无"),
        "annual_report": (year in facts.report_years, f"{year} 年度" + ("已报送" if year in facts.report_years else "未报送")),
    }
    out = []
    for c in rules()["criteria"]:
        passed, detail = checks[c["id"]]
        out.append({"id": c["id"], "passed": passed, "zh": c["zh"].format(months=months),
                    "en": c["en"].format(months=months), "detail": detail})
    return {"certified": all(c["passed"] for c in out), "criteria": out}
