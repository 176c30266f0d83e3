"""Contributors (信息报送方) of credit information from society: who may report, approved by the credit office.

A credit reporting agency, an internet firm, an industry association, a news organisation or a
research body is registered by the city's credit office (the department `approved_by` in
schemas/contributions.json) and bound to its own credit code; it may be suspended (it cannot
report while suspended) and reinstated, each with a reason. The registry is public: who the
contributors are and their track records (projections/contributions.py).
"""
from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

import schemas
from domain.errors import ConflictError, ForbiddenError, InputError

ACTIVE, SUSPENDED = "active", "suspended"
CONTRIBUTOR_PREFIX = "contributor:"


@cache
def rules() -> dict[str, Any]:
    """schemas/contributions.json: contributor types, source types, categories and their departments."""
    return schemas.load("contributions.json")


def contributor_id(credit_code: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/contributors/{credit_code}")


def check_type(contributor_type: str) -> str:
    types = rules()["contributor_types"]
    if contributor_type not in types:
        known = "、".join(f"{k}（{v['zh']}）" for k, v in types.items())
        raise InputError("contributor_type", "enum", f"报送方类型应为：{known}",
                         f"contributor_type must be one of {', '.join(types)}")
    return contributor_type


class Contributor(Aggregate):
    """One registered contributor, bound to its credit code."""

    TOPIC = "gongshi:Contributor"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:Contributor.Created"

    class Registered(Aggregate.Created):
        TOPIC = "gongshi:Contributor.Registered"
        credit_code: str
        name: str
        contributor_type: str
        approved_by: str
        on: str
        submitter: str

    @staticmethod
    def create_id(credit_code: str) -> UUID:
        return contributor_id(credit_code)

    @event(Registered)
    def __init__(self, credit_code, name, contributor_type, approved_by, on, submitter):  # noqa: PLR0913
        self.credit_code = credit_code
        self.name = name
        self.contributor_type = contributor_type
        self.approved_by = approved_by
        self.status = ACTIVE
        self.history = [{"status": ACTIVE, "on": on, "reason": "", "by": submitter}]

    class Suspended(Aggregate.Event):
        TOPIC = "gongshi:Contributor.Suspended"
        reason: str
        on: str
        submitter: str

        def apply(self, contributor: Contributor) -> None:
            contributor.status = SUSPENDED
            contributor.history = [*contributor.history, {"status": SUSPENDED, "on": self.on, "reason": self.reason,
                                                          "by": self.submitter}]

    class Reinstated(Aggregate.Event):
        TOPIC = "gongshi:Contributor.Reinstated"
        reason: str
        on: str
        submitter: str

        def apply(self, contributor: Contributor) -> None:
            contributor.status = ACTIVE
            contributor.history = [*contributor.history, {"status": ACTIVE, "on": self.on, "reason": self.reason,
                                                          "by": self.submitter}]

    @property
    def label(self) -> str:
        return rules()["contributor_types"][self.contributor_type]["zh"]

    def suspend(self, reason: str, today: dt.date, submitter: str) -> None:
        if self.status == SUSPENDED:
            raise ConflictError("status", "already_suspended", f"{self.name} 已被暂停报送", f"{self.name} is suspended")
        self.trigger_event(self.Suspended, reason=reason, on=today.isoformat(), submitter=submitter)

    def reinstate(self, reason: str, today: dt.date, submitter: str) -> None:
        if self.status == ACTIVE:
            raise ConflictError("status", "not_suspended", f"{self.name} 未被暂停", f"{self.name} is not suspended")
        self.trigger_event(self.Reinstated, reason=reason, on=today.isoformat(), submitter=submitter)

    def may_report(self) -> None:
        """Refuses a suspended contributor (403): its reports are not taken while it is suspended."""
        if self.status == SUSPENDED:
            last = self.history[-1]
            raise ForbiddenError("contributor", "suspended",
                                 f"{self.name} 已于 {last['on']} 被市信用办暂停报送（{last['reason']}）",
                                 f"{self.name} was suspended on {last['on']} and cannot report while suspended")
