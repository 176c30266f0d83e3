"""Rules that change over time: which rule set is in force on a day (DOMAIN.md: "apply the one
in force on the record's decision date").

A rule set (publicity periods, case time limits, grading models, warning rules, a measure)
carries `from` and `to`, ISO dates, both inclusive; `to` null means still in force.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any


def covers(period: Mapping[str, Any], day: dt.date) -> bool:
    """True when the period's `from`..`to` (inclusive, `to` null = open) holds the day."""
    iso = day.isoformat()
    return period["from"] <= iso and (period["to"] is None or iso <= period["to"])


def in_force(rule_sets: Sequence[dict[str, Any]], day: dt.date, before_first: str | None = None) -> dict[str, Any]:
    """The rule set covering the day; in a gap the latest begun; before them all the one whose id
    is `before_first`, else the earliest (older records get the oldest rules we know)."""
    for rule_set in rule_sets:
        if covers(rule_set, day):
            return rule_set
    begun = [r for r in rule_sets if r["from"] <= day.isoformat()]
    if begun:
        return max(begun, key=lambda r: r["from"])
    if before_first is not None:
        return next(r for r in rule_sets if r["id"] == before_first)
    return min(rule_sets, key=lambda r: r["from"])
