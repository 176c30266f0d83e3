"""Objections (异议), DOMAIN.md section 6: a firm disputes a record about itself.

The department that recorded it accepts, refuses or asks for more material within the
acceptance limit; once accepted the record is under review (the public sees 异议处理中)
until the department resolves it within the verification limit: corrected (a new
version of the record with the reason), maintained, withdrawn (the record leaves every
public view) or supplemented. The firm may withdraw its objection while it is open.
Overdue is not an event: it is read from the deadline and today.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.cases import (
    OBJECTION,
    CaseStep,
    Actor,
    CaseInputError,
    NotEligibleError,
    case_id,
    deadline,
    docket_of,
    execute,
    firm_record,
    limits_for,
    load_case,
    new_case_number,
    require_department,
    require_firm,
    require_status,
    require_text,
)
from domain.records import WITHDRAWN, Record, digest
from domain.validation import FieldError

SUBMITTED, NEEDS_MATERIAL, ACCEPTED, NOT_ACCEPTED, RESOLVED, WITHDRAWN_BY_APPLICANT = (
    "submitted", "needs_material", "accepted", "not_accepted", "resolved", "withdrawn")
STATUS_LABELS = {
    SUBMITTED: "已提交，待受理", NEEDS_MATERIAL: "需补充材料", ACCEPTED: "已受理，核查中（异议处理中）",
    NOT_ACCEPTED: "不予受理", RESOLVED: "已办结", WITHDRAWN_BY_APPLICANT: "申请人已撤回",
}
OPEN_STATUSES = (SUBMITTED, NEEDS_MATERIAL, ACCEPTED)
GROUNDS = {
    "wrong": "信息错误", "missing": "信息遗漏", "duplicated": "信息重复", "not_publishable": "依法不应公示",
    "expired": "超过公示期限仍在公示", "differs_from_finding": "与认定结果不一致", "privacy": "侵犯商业秘密或个人隐私",
}
CORRECTED, MAINTAINED, RECORD_WITHDRAWN, SUPPLEMENTED = "corrected", "maintained", "withdrawn", "supplemented"
OUTCOMES = {CORRECTED: "更正（发布新版本）", MAINTAINED: "维持原信息", RECORD_WITHDRAWN: "撤回原信息（不再公示）",
            SUPPLEMENTED: "补充信息（发布新版本）"}
#: Fields a correction may not change: they are the record's identity (a wrong party is a withdrawal).
IDENTITY_FIELDS = ("kind", "authority_code", "document_number", "credit_code", "source_unit_code")


class ObjectionCase(Aggregate):
    """One objection to one record."""

    TOPIC = "gongshi:ObjectionCase"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:ObjectionCase.Created"

    class Submitted(Aggregate.Created):
        TOPIC = "gongshi:ObjectionCase.Submitted"
        number: str
        record_id: str
        record_kind: str
        document_number: str
        credit_code: str
        party_name: str
        department: str
        grounds: list[str]
        statement: str
        materials: list[dict[str, Any]]
        limits: dict[str, Any]
        on: str
        submitter: str

    @event(Submitted)
    def __init__(self, number, record_id, record_kind, document_number, credit_code, party_name,  # noqa: PLR0913
                 department, grounds, statement, materials, limits, on, submitter):
        self.number = number
        self.record_id = record_id
        self.record_kind = record_kind
        self.document_number = document_number
        self.credit_code = credit_code
        self.party_name = party_name
        self.department = department
        self.grounds = grounds
        self.statement = statement
        self.materials = materials
        self.limits = limits
        self.status = SUBMITTED
        self.outcome: str | None = None
        self.steps = [{"status": SUBMITTED, "on": on, "reason": statement, "by": submitter}]

    class Accepted(CaseStep):
        TOPIC = "gongshi:ObjectionCase.Accepted"
        status = ACCEPTED

    class NotAccepted(CaseStep):
        TOPIC = "gongshi:ObjectionCase.NotAccepted"
        status = NOT_ACCEPTED

    class MaterialRequested(CaseStep):
        TOPIC = "gongshi:ObjectionCase.MaterialRequested"
        status = NEEDS_MATERIAL

    class MaterialSupplied(CaseStep):
        """The firm supplied what was asked for: the acceptance clock starts again."""

        TOPIC = "gongshi:ObjectionCase.MaterialSupplied"
        status = SUBMITTED
        materials: list[dict[str, Any]]

        def apply(self, case: ObjectionCase) -> None:
            super().apply(case)
            case.materials = [*case.materials, *self.materials]

    class Resolved(CaseStep):
        TOPIC = "gongshi:ObjectionCase.Resolved"
        status = RESOLVED
        outcome: str

        def apply(self, case: ObjectionCase) -> None:
            super().apply(case)
            case.outcome = self.outcome

    class Withdrawn(CaseStep):
        TOPIC = "gongshi:ObjectionCase.Withdrawn"
        status = WITHDRAWN_BY_APPLICANT

    def since(self, status: str) -> str | None:
        return next((s["on"] for s in reversed(self.steps) if s["status"] == status), None)

    def due(self) -> str | None:
        """The last day for the department's next decision (None while waiting for the firm, or once decided)."""
        if self.status == SUBMITTED:
            return deadline(self.since(SUBMITTED), self.limits["acceptance_working_days"])
        if self.status == ACCEPTED:
            return deadline(self.since(ACCEPTED), self.limits["verification_working_days"])
        return None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


# -- commands -----------------------------------------------------------------------------------------
def objection_eligibility(record: Record, docket: Any) -> list[FieldError]:
    """Why the firm cannot object to this record now; empty means it may."""
    if record.status == WITHDRAWN:
        return [FieldError("record", "withdrawn", "该信息已撤回，不再公示", "the record was withdrawn")]
    open_case = docket.open_case(OBJECTION, str(record.id)) if docket else None
    if open_case:
        return [FieldError("record", "open_case", f"该信息已有正在办理的异议（案件 {open_case['number']}）",
                           f"objection {open_case['number']} about this record is still open")]
    return []


def check_grounds(grounds: list[str]) -> list[str]:
    chosen = [g for g in dict.fromkeys(grounds) if g]
    unknown = [g for g in chosen if g not in GROUNDS]
    if unknown or not chosen:
        raise CaseInputError("grounds", "invalid", f"请选择异议理由：{'、'.join(GROUNDS.values())}",
                             f"choose at least one ground from: {', '.join(GROUNDS)}")
    return chosen


def raise_objection(ledger: Any, actor: Actor, record_id: str, grounds: list[str], statement: str,
                    materials: list[dict[str, Any]], today: dt.date) -> tuple[str, int]:
    """Open an objection case; returns (case number, log position)."""
    chosen = check_grounds(grounds)
    text = require_text(statement, "statement", "异议的具体内容", "a statement of the objection")
    numbers: list[str] = []

    def command():
        number = new_case_number(OBJECTION, today)  # drawn again if a retry follows a (vanishingly rare) clash
        numbers.append(number)
        record = firm_record(ledger, actor, record_id)
        docket = docket_of(ledger, actor.credit_code)
        reasons = objection_eligibility(record, docket)
        if reasons:
            raise NotEligibleError(reasons)
        case = ObjectionCase._create(
            ObjectionCase.Submitted, id=case_id(number), number=number, record_id=str(record.id),
            record_kind=record.kind, document_number=record.fields.get("document_number", ""),
            credit_code=actor.credit_code, party_name=record.fields.get("party_name", ""),
            department=record.department, grounds=chosen, statement=text, materials=materials,
            limits=limits_for(OBJECTION, today), on=today.isoformat(), submitter=actor.identity)
        docket.opened(case.id, number, OBJECTION, str(record.id))
        return [case, docket]

    position = execute(ledger, command)
    return numbers[-1], position


#: step -> (event, statuses it may follow, reason required, who acts, Chinese verb, English verb)
STEPS: dict[str, tuple[type[CaseStep], tuple[str, ...], bool, str, str, str]] = {
    "accept": (ObjectionCase.Accepted, (SUBMITTED,), False, "reviewer", "受理", "accepted"),
    "refuse": (ObjectionCase.NotAccepted, (SUBMITTED,), True, "reviewer", "不予受理", "refused"),
    "request_material": (ObjectionCase.MaterialRequested, (SUBMITTED,), True, "reviewer", "要求补充材料",
                         "sent back for more material"),
    "withdraw": (ObjectionCase.Withdrawn, OPEN_STATUSES, False, "firm", "撤回异议", "withdrawn"),
}


def _load_for(ledger: Any, actor: Actor, number: str, who: str, allowed: tuple[str, ...], zh: str,
              en: str) -> ObjectionCase:
    case: ObjectionCase = load_case(ledger, number, ObjectionCase)
    if who == "firm":
        require_firm(actor, case.credit_code, case.number)
    else:
        require_department(actor, case.department, case.number)
    require_status(case.status, allowed, STATUS_LABELS, zh, en)
    return case


def decide_objection(ledger: Any, actor: Actor, number: str, step: str, reason: str | None, today: dt.date) -> int:
    """Accept, refuse, ask for material, or (the firm) withdraw; returns the log position."""
    if step not in STEPS:
        raise CaseInputError("step", "unknown_step", f"未知的办理操作：{step}", f"unknown step {step}")
    event_class, allowed, needs_reason, who, zh, en = STEPS[step]
    text = require_text(reason, "reason", "理由", "a reason") if needs_reason else (reason or "").strip()[:4000]

    def command():
        case = _load_for(ledger, actor, number, who, allowed, zh, en)
        was = case.status
        case.trigger_event(event_class, reason=text, on=today.isoformat(), submitter=actor.identity)
        touched: list[Any] = [case]
        if step == "accept" or was == ACCEPTED:
            record: Record = ledger.repository.get(UUID(case.record_id))
            if step == "accept":
                record.open_objection(str(case.id), actor.identity)
            else:
                record.close_objection(str(case.id), "withdrawn_by_applicant", actor.identity)
            touched.append(record)
        if step in ("refuse", "withdraw"):
            docket = docket_of(ledger, case.credit_code)
            docket.closed(case.id)
            touched.append(docket)
        return touched

    return execute(ledger, command)


def supply_material(ledger: Any, actor: Actor, number: str, statement: str, materials: list[dict[str, Any]],
                    today: dt.date) -> int:
    """The firm answers a request for material; the case waits for acceptance again."""
    text = (statement or "").strip()[:4000]
    if not text and not materials:
        raise CaseInputError("materials", "required", "请上传补充材料或填写补充说明",
                             "upload material or write a statement")

    def command():
        case = _load_for(ledger, actor, number, "firm", (NEEDS_MATERIAL,), "补充材料", "supplemented")
        case.trigger_event(ObjectionCase.MaterialSupplied, reason=text, on=today.isoformat(),
                           submitter=actor.identity, materials=materials)
        return [case]

    return execute(ledger, command)


def corrected_fields(ledger: Any, record: Record, patch: Any) -> dict[str, Any]:
    """The record's fields with the department's changes, validated like any submission."""
    if not isinstance(patch, dict) or not patch:
        raise CaseInputError("fields", "required", "更正或补充须给出要修改的字段及新值（JSON 对象）",
                             "a correction needs the changed fields as a JSON object")
    fixed = [f for f in IDENTITY_FIELDS if f in patch and patch[f] != record.fields.get(f)]
    if fixed:
        raise CaseInputError("fields", "identity_field",
                             f"不能通过更正改变{'、'.join(fixed)}；主体或文号错误应撤回原信息",
                             f"a correction cannot change {', '.join(fixed)}; withdraw the record instead")
    fields = ledger.validator.validate(record.kind, {**record.fields, **patch}, record.department)
    fields.setdefault("source_unit_code", record.department)
    return fields


def resolve_objection(ledger: Any, actor: Actor, number: str, outcome: str, reason: str | None,
                      patch: Any, today: dt.date) -> int:
    """Resolve an accepted objection; the record changes in the same transaction as the case."""
    if outcome not in OUTCOMES:
        raise CaseInputError("outcome", "invalid", f"处理结果须为：{'、'.join(OUTCOMES.values())}",
                             f"outcome must be one of {', '.join(OUTCOMES)}")
    text = require_text(reason, "reason", "处理理由", "a reason")

    def command():
        case = _load_for(ledger, actor, number, "reviewer", (ACCEPTED,), "办结", "resolved")
        record: Record = ledger.repository.get(UUID(case.record_id))
        if outcome in (CORRECTED, SUPPLEMENTED):
            fields = corrected_fields(ledger, record, patch)
            window = ledger.window(record.kind, fields, record.department)
            if not record.correct(fields, text, record.department, actor.identity, window, digest(fields)):
                raise CaseInputError("fields", "unchanged", "修改后的内容与现有版本相同",
                                     "the corrected content equals an existing version")
        elif outcome == RECORD_WITHDRAWN:
            record.withdraw(text, record.department, actor.identity)
        record.close_objection(str(case.id), outcome, actor.identity)
        case.trigger_event(ObjectionCase.Resolved, reason=text, on=today.isoformat(), submitter=actor.identity,
                           outcome=outcome)
        docket = docket_of(ledger, case.credit_code)
        docket.closed(case.id)
        return [case, record, docket]

    return execute(ledger, command)
