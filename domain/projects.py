"""Investment projects approved in parallel online (投资项目在线并联审批): one more use of the case model.

A project is submitted once from the applicant's firm account, accepted once at the development and
reform commission's window (the case's department), then every reviewing department gives its
opinion on its own items at the same time; the project is decided when every item has a final opinion
(refused if any item is refused, approved with conditions if any is, else approved). Which items a
project needs, who reviews each and in how many working days is data (schemas/projects.json).

Credit is checked by the platform itself at acceptance and at each opinion (the joint-measures check
of application/supervision.py for the business `investment`, recorded in the log as every check
is): a measure that refuses new projects (JC-20, serious dishonesty) ends the case at acceptance with
the measure named; a green-channel measure (grade A, red list) lets a project that asked for it go
through approval by commitment (告知承诺); a heightened-review measure (grade D) is shown to every
reviewer. The check's gist is part of the step's event, so the history says why.
"""
from __future__ import annotations

import datetime as dt
import secrets
from functools import cache
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate, event

import schemas
from domain.cases import Actor, Case, CaseStep, CaseSubmitted, require_text
from domain.errors import ConflictError, FieldError, ForbiddenError, InputError, ValidationFailed

PROJECT = "project"
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@cache
def rules() -> dict[str, Any]:
    return schemas.load("projects.json")


def project_code(project_type: str, industry: str, district: str, on: dt.date) -> str:
    """The project's code, after the national one (year-region-industry-type-sequence): 2026-210502-30-01-7K3Q9D;
    the sequence is six random characters, so a code says nothing of how many projects came before."""
    tail = "".join(secrets.choice(_ALPHABET) for _ in range(6))
    return f"{on.year}-{district}-{rules()['industries'][industry]['code']}-{rules()['types'][project_type]['code']}-{tail}"


def items_for(project_type: str, industry: str) -> list[str]:
    base = list(rules()["items_by_type"][project_type])
    return base + [i for i in rules()["industries"][industry]["extra_items"] if i not in base]


def check_project(data: Any, districts: dict[str, str]) -> dict[str, Any]:
    """A submission normalised, or every error by field (Chinese and English); nothing is saved before this passes."""
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError("body", "type", "项目申报应为一个 JSON 对象", "the body must be a JSON object")])
    errors: list[FieldError] = []
    name = str(data.get("name") or "").strip()
    if not 4 <= len(name) <= 100:
        errors.append(FieldError("name", "length", "项目名称应为 4 至 100 个字", "name must be 4 to 100 characters"))
    kind = str(data.get("project_type") or "")
    if kind not in rules()["types"]:
        errors.append(FieldError("project_type", "enum", "项目类型应为 approval（审批）、verification（核准）或 filing（备案）",
                                 "project_type must be approval, verification or filing"))
    industry = str(data.get("industry") or "")
    if industry not in rules()["industries"]:
        errors.append(FieldError("industry", "enum", f"行业应为：{'、'.join(rules()['industries'])}",
                                 f"industry must be one of {', '.join(rules()['industries'])}"))
    district = str(data.get("district") or "")
    if district not in districts:
        errors.append(FieldError("district", "enum", f"建设地点（区县代码）应为：{'、'.join(districts)}",
                                 f"district must be one of {', '.join(districts)}"))
    raw = data.get("amount")
    limits = rules()["amount"]
    try:
        amount = float(str(raw).replace(",", "")) if raw not in (None, "") and not isinstance(raw, bool) else None
    except ValueError:
        amount = None
    if amount is None or not limits["min"] <= amount <= limits["max"]:
        errors.append(FieldError("amount", "number", f"总投资（万元）应为 {limits['min']} 至 {limits['max']} 之间的数字",
                                 f"amount (10,000 yuan) must be a number from {limits['min']} to {limits['max']}"))
    description = str(data.get("description") or "").strip()[:2000]
    if errors:
        raise ValidationFailed(errors)
    return {"name": name, "project_type": kind, "industry": industry, "district": district, "amount": amount,
            "description": description, "commitment": bool(data.get("commitment"))}


class ProjectCase(Case):
    """One investment project: accepted once, reviewed item by item by several departments at once."""

    TOPIC = "gongshi:ProjectCase"
    kind: ClassVar[str] = PROJECT

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:ProjectCase.Created"

    class Submitted(CaseSubmitted):
        TOPIC = "gongshi:ProjectCase.Submitted"
        project: dict[str, Any]  # check_project's fields
        items: list[dict[str, Any]]  # [{item, department, working_days}]

    @event(Submitted)
    def __init__(self, number, record_id, record_kind, document_number, credit_code, party_name,  # noqa: PLR0913
                 department, statement, materials, limits, on, submitter, subject_type, project, items):
        self._start(number, record_id, record_kind, document_number, credit_code, party_name, department,
                    statement, materials, limits, on, submitter, subject_type)
        self.project = project
        self.items = {i["item"]: {**i, "opinion": None, "final": False} for i in items}
        self.credit: dict[str, Any] | None = None
        self.by_commitment = False

    class Accepted(CaseStep):
        TOPIC = "gongshi:ProjectCase.Accepted"
        status = "in_review"
        credit: dict[str, Any]
        by_commitment: bool

        def apply(self, case: ProjectCase) -> None:
            super().apply(case)
            case.credit, case.by_commitment = self.credit, self.by_commitment

    class NotAccepted(CaseStep):
        TOPIC = "gongshi:ProjectCase.NotAccepted"
        status = "not_accepted"
        credit: dict[str, Any] | None

        def apply(self, case: ProjectCase) -> None:
            super().apply(case)
            case.credit = self.credit

    class Opined(CaseStep):
        """A department's opinion on one of its items (the project stays in review until every item is final)."""

        TOPIC = "gongshi:ProjectCase.Opined"
        status = "in_review"
        restarts_clock: ClassVar[bool] = False  # the review's limit runs from acceptance, whatever the opinions
        item: str
        department: str
        opinion: str
        credit: dict[str, Any]

        def apply(self, case: ProjectCase) -> None:
            super().apply(case)
            final = rules()["opinions"][self.opinion].get("final", True)
            case.items = {**case.items, self.item: {**case.items[self.item], "opinion": self.opinion,
                                                    "final": final, "on": self.on, "reason": self.reason}}

    class Approved(CaseStep):
        TOPIC = "gongshi:ProjectCase.Approved"
        status = "approved"

    class ApprovedWithConditions(CaseStep):
        TOPIC = "gongshi:ProjectCase.ApprovedWithConditions"
        status = "approved_with_conditions"

    class Refused(CaseStep):
        TOPIC = "gongshi:ProjectCase.Refused"
        status = "refused"

    def since(self, status: str) -> str | None:
        """The day the project first entered `status` (opinions keep it in review; its clock runs from acceptance)."""
        return next((s["on"] for s in self.steps if s["status"] == status), None)

    def may_be_seen_by(self, actor: Actor) -> None:
        """The applicant, the accepting window and every department reviewing one of its items."""
        if actor.credit_code == self.credit_code or (actor.department and (
                actor.department == self.department or any(i["department"] == actor.department
                                                           for i in self.items.values()))):
            return
        raise ForbiddenError("case", "not_your_case", f"无权查看项目 {self.number}", f"you may not see project {self.number}")

    def opine(self, actor: Actor, item: str, opinion: str, reason: str | None, today: dt.date,
              credit: dict[str, Any]) -> None:
        """One department's opinion on one of its items; the last final opinion decides the project."""
        text = self.check_opinion(actor, item, opinion, reason)
        self.trigger_event(self.Opined, reason=text, on=today.isoformat(), submitter=actor.identity, item=item,
                           department=actor.department, opinion=opinion, credit=credit)
        if all(i["final"] for i in self.items.values()):
            opinions = {i["opinion"] for i in self.items.values()}
            final = (self.Refused if "refuse" in opinions else
                     self.ApprovedWithConditions if "approve_with_conditions" in opinions else self.Approved)
            self.trigger_event(final, reason="全部审批事项已出具意见", on=today.isoformat(), submitter="rule:project-decided")

    def check_acceptance(self, actor: Actor) -> None:
        """Refuse before anything is checked or recorded: another department, or a project no longer waiting."""
        if actor.department != self.department:
            raise ForbiddenError("case", "other_department", f"项目由{self.department}统一受理，您所在部门无权受理",
                                 f"project {self.number} is accepted by {self.department} only")
        if self.status != "submitted":
            raise ConflictError("status", "invalid_transition", "项目已受理或已办结", "the project is no longer waiting")

    def check_opinion(self, actor: Actor, item: str, opinion: str, reason: str | None) -> str:
        """The opinion's reason, or the refusal naming the field (checked before the credit check is recorded)."""
        if item not in self.items:
            raise InputError("item", "unknown_item", f"项目 {self.number} 没有审批事项 {item}（有：{'、'.join(self.items)}）",
                             f"project {self.number} has no item {item!r}")
        if actor.department is None or actor.department != self.items[item]["department"]:
            raise ForbiddenError("item", "not_your_item", f"事项“{rules()['items'][item]['zh']}”不由您所在部门审查",
                                 f"the item {item} is not reviewed by your department")
        if self.status == "submitted":
            raise ConflictError("status", "not_accepted_yet", "项目尚未受理，不能出具审查意见",
                                "the project has not been accepted: no opinion yet")
        if self.status != "in_review":
            raise ConflictError("status", "decided", "项目已办结，不能再出具意见", "the project is decided: no more opinions")
        if self.items[item]["final"]:
            raise ConflictError("item", "already_decided", "该事项已出具意见", "this item already has its opinion")
        found = rules()["opinions"].get(opinion or "")
        if found is None:
            raise InputError("opinion", "enum", f"审查意见应为：{'、'.join(rules()['opinions'])}",
                             f"opinion must be one of {', '.join(rules()['opinions'])}")
        return require_text(reason, "reason", "意见理由", "the reasons") if found.get("needs_reason") else (reason or "")
