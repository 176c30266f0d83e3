"""Publicity periods of administrative penalties (DOMAIN.md section 3).

The rule sets are data (schemas/publicity_rules.json) with effective dates; a penalty
gets the window of the rule set in force on its decision date, computed once when it is
recorded (and again when it is corrected) and stored in the event, so later changes to
the configuration never rewrite history. Whether a record is public *today* is decided
at read time by `is_public`, because time moves on without any new event.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.rulesets import in_force

MINOR, GENERAL, SERIOUS = "minor", "general", "serious"


@dataclass(frozen=True)
class Window:
    """A penalty's computed publicity: rule set, severity and the three dates."""

    rule_set: str
    severity: str
    published: bool
    start: str
    min_end: str
    max_end: str
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"rule_set": self.rule_set, "severity": self.severity, "published": self.published,
                "start": self.start, "min_end": self.min_end, "max_end": self.max_end, "reason": self.reason}


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic, clamping to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def severity(rules: dict[str, Any], fields: dict[str, Any]) -> str:
    """Classify a penalty as minor, general or serious (the longest category wins)."""
    sev = rules["severity"]
    categories = set(fields.get("categories") or ())
    fine = Decimal(str(fields.get("fine") or 0))
    if categories & set(sev["serious_categories"]) or fine >= Decimal(str(sev["serious_fine_at_least"])):
        return SERIOUS
    if fields.get("procedure") in sev["minor_procedures"] or (
        categories and categories <= set(sev["minor_categories_only"])
    ):
        return MINOR
    return GENERAL


def market_regulation_withheld(rules: dict[str, Any], fields: dict[str, Any], department_key: str | None) -> str:
    """Why a market-regulation penalty is not published at all, or '' if it is."""
    mr = rules["market_regulation"]
    if department_key not in mr["department_keys"]:
        return ""
    if mr["publish_only_ordinary_procedure"] and fields.get("procedure") == "简易程序":
        return "市场监管部门简易程序处罚不公示"
    if mr["warning_only_not_published"] and set(fields.get("categories") or ()) == {"警告"}:
        return "市场监管部门仅警告的处罚不公示"
    return ""


def penalty_window(rules: dict[str, Any], fields: dict[str, Any], department_key: str | None = None) -> Window:
    """Compute the publicity window of a penalty from the rule set in force on its decision date."""
    decided = dt.date.fromisoformat(fields["decision_date"])
    rule_set = in_force(rules["rule_sets"], decided, rules["before_first"])
    sev = severity(rules, fields)
    period = rule_set[sev]
    if sev == SERIOUS and fields.get("sector") in rules["severity"]["key_sectors"]:
        period = rule_set.get("key_sector_serious", period)
    elif sev == MINOR and "treated_as" in period:
        period = rule_set[period["treated_as"]]
    withheld = market_regulation_withheld(rules, fields, department_key)
    published = period["published"] and not withheld
    reason = withheld or ("" if period["published"] else "轻微违法行为处罚不予公示")
    return Window(
        rule_set=rule_set["id"],
        severity=sev,
        published=published,
        start=decided.isoformat(),
        min_end=add_months(decided, period["min_months"]).isoformat(),
        max_end=add_months(decided, period["max_months"]).isoformat(),
        reason=reason,
    )


def list_until(rules: dict[str, Any], kind: str, fields: dict[str, Any]) -> str | None:
    """The first day a listing is off its list by lapse of time: `lists.dishonesty_listing_months`
    after a dishonesty listing's decision date (DOMAIN.md section 5); None for lists left only by removal."""
    if kind != "dishonesty_listing":
        return None
    return add_months(dt.date.fromisoformat(fields["decision_date"]), rules["lists"]["dishonesty_listing_months"]).isoformat()


def honour_public_until(kind: str, fields: dict[str, Any]) -> str | None:
    """The first day a red-list honour is no longer public: the day after its `valid_to` (which is
    inclusive); for society-sourced information the end fixed when it was confirmed (`public_until`, stored in
    the record so that a later configuration never rewrites it); None for every other kind without a window."""
    if kind == "society_info":
        return fields.get("public_until")
    if kind != "red_list" or not fields.get("valid_to"):
        return None
    return (dt.date.fromisoformat(fields["valid_to"]) + dt.timedelta(days=1)).isoformat()


def is_public(window: dict[str, Any] | None, today: dt.date | str) -> bool:
    """True when a record with this window is inside its publicity period on `today`.

    Records without a window (licenses, lists...) are public; their own status rules
    (withdrawn, removed, repaired) are applied by the caller.
    """
    if window is None:
        return True
    iso = today if isinstance(today, str) else today.isoformat()
    return bool(window["published"]) and window["start"] <= iso < window["max_end"]


#: Decisions go public within this many working days of their decision date (DOMAIN.md).
PUBLISH_WITHIN_WORKING_DAYS = 7


def published_on_time(decision_date: str, reached_on: str, days: int = PUBLISH_WITHIN_WORKING_DAYS) -> bool:
    """Whether a decision that reached the platform on `reached_on` (its day in China) did so within `days`
    working days of its decision date (working days by schemas/calendar.json)."""
    from domain.workdays import calendar

    return reached_on <= calendar().add_working_days(decision_date, days).isoformat()
