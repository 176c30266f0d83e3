"""Objections (异议), DOMAIN.md section 6: a firm disputes a record about itself.

The department that recorded it accepts, refuses or asks for more material within the
acceptance limit; once accepted the record is under review (the public sees 异议处理中)
until the department resolves it within the verification limit: corrected (a new
version of the record with the reason), maintained, withdrawn (the record leaves every
public view) or supplemented. The firm may withdraw its objection while it is open.
Overdue is not an event: it is read from the deadline and today. The steps are data
(schemas/case_workflows.json).
"""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.cases import OBJECTION, Actor, Case, CaseStep, CaseSubmitted, Docket
from domain.errors import FieldError, InputError
from domain.records import WITHDRAWN, Record, digest
from domain.validation import Validator

SUBMITTED, NEEDS_MATERIAL, ACCEPTED, NOT_ACCEPTED, RESOLVED, WITHDRAWN_BY_APPLICANT = (
    "submitted", "needs_material", "accepted", "not_accepted", "resolved", "withdrawn")
GROUNDS = {
    "wrong": "信息错误", "missing": "信息遗漏", "duplicated": "信息重复", "not_publishable": "依法不应公示",
    "expired": "超过公示期限仍在公示", "differs_from_finding": "与认定结果不一致", "privacy": "侵犯商业秘密或个人隐私",
}
CORRECTED, MAINTAINED, RECORD_WITHDRAWN, SUPPLEMENTED = "corrected", "maintained", "withdrawn", "supplemented"
OUTCOMES = {CORRECTED: "更正（发布新版本）", MAINTAINED: "维持原信息", RECORD_WITHDRAWN: "撤回原信息（不再公示）",
            SUPPLEMENTED: "补充信息（发布新版本）"}
#: Fields a correction may not change: they are the record's identity (a wrong party is a withdrawal).
IDENTITY_FIELDS = ("kind", "authority_code", "document_number", "credit_code", "source_unit_code")


class ObjectionCase(Case):
    """One objection to one record."""

    TOPIC = "gongshi:ObjectionCase"
    kind = OBJECTION

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:ObjectionCase.Created"

    class Submitted(CaseSubmitted):
        TOPIC = "gongshi:ObjectionCase.Submitted"
        grounds: list[str]

    @event(Submitted)
    def __init__(self, number, record_id, record_kind, document_number, credit_code, party_name,  # noqa: PLR0913
                 department, grounds, statement, materials, limits, on, submitter, subject_type):
        self._start(number, record_id, record_kind, document_number, credit_code, party_name, department,
                    statement, materials, limits, on, submitter, subject_type)
        self.grounds = grounds
        self.outcome: str | None = None

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


# -- rules --------------------------------------------------------------------------------------------
def objection_eligibility(record: Record, docket: Docket | None) -> list[FieldError]:
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
        raise InputError("grounds", "invalid", f"请选择异议理由：{'、'.join(GROUNDS.values())}",
                         f"choose at least one ground from: {', '.join(GROUNDS)}")
    return chosen


def corrected_fields(validator: Validator, record: Record, patch: Any) -> dict[str, Any]:
    """The record's fields with the department's changes, validated like any submission."""
    if not isinstance(patch, dict) or not patch:
        raise InputError("fields", "required", "更正或补充须给出要修改的字段及新值（JSON 对象）",
                         "a correction needs the changed fields as a JSON object")
    fixed = [f for f in IDENTITY_FIELDS if f in patch and patch[f] != record.fields.get(f)]
    if fixed:
        raise InputError("fields", "identity_field",
                         f"不能通过更正改变{'、'.join(fixed)}；主体或文号错误应撤回原信息",
                         f"a correction cannot change {', '.join(fixed)}; withdraw the record instead")
    fields = validator.validate(record.kind, {**record.fields, **patch}, record.department)
    fields.setdefault("source_unit_code", record.department)
    return fields


def settle(record: Record, outcome: str, reason: str, actor: Actor, fields: dict[str, Any] | None,
           window: dict[str, Any] | None) -> None:
    """What a resolution does to the record: a new version (corrected, supplemented), a withdrawal, or nothing."""
    if outcome in (CORRECTED, SUPPLEMENTED):
        assert fields is not None
        if not record.correct(fields, reason, record.department, actor.identity, window, digest(fields)):
            raise InputError("fields", "unchanged", "修改后的内容与现有版本相同",
                             "the corrected content equals an existing version")
    elif outcome == RECORD_WITHDRAWN:
        record.withdraw(reason, record.department, actor.identity)


def check_outcome(outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise InputError("outcome", "invalid", f"处理结果须为：{'、'.join(OUTCOMES.values())}",
                         f"outcome must be one of {', '.join(OUTCOMES)}")
    return outcome
