"""Credit repair (信用修复), DOMAIN.md section 4: eligibility, the case, and its commands.

A firm applies about one of its own penalties or list entries; the department that
recorded it accepts or refuses, then approves or rejects, each within the configured
working days. Approval closes the case and repairs the record in one transaction, so
the record leaves every public surface together with the decision. A repair resting
on false material can be revoked: the record is public again and the firm is barred
from applying for a while.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.cases import (
    REPAIR,
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
    months_after,
    new_case_number,
    require_department,
    require_firm,
    require_status,
    require_text,
)
from domain.records import REPAIRABLE_KINDS, REPAIRED, WITHDRAWN, Record
from domain.validation import FieldError

SUBMITTED, ACCEPTED, REFUSED, APPROVED, REJECTED, REVOKED, WITHDRAWN_BY_APPLICANT = (
    "submitted", "accepted", "refused", "approved", "rejected", "revoked", "withdrawn")
STATUS_LABELS = {
    SUBMITTED: "已提交，待受理", ACCEPTED: "已受理，审查中", REFUSED: "不予受理", APPROVED: "准予修复",
    REJECTED: "不予修复", REVOKED: "修复已撤销", WITHDRAWN_BY_APPLICANT: "申请人已撤回",
}
OPEN_STATUSES = (SUBMITTED, ACCEPTED)
MATERIAL_ROLES = {"proof": "履行义务证明（缴款凭证、整改证明等）", "commitment": "信用修复承诺书"}


class RepairCase(Aggregate):
    """One application for credit repair about one record."""

    TOPIC = "gongshi:RepairCase"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:RepairCase.Created"

    class Submitted(Aggregate.Created):
        TOPIC = "gongshi:RepairCase.Submitted"
        number: str
        record_id: str
        record_kind: str
        document_number: str
        credit_code: str
        party_name: str
        department: str
        statement: str
        materials: list[dict[str, Any]]
        limits: dict[str, Any]
        on: str
        submitter: str

    @event(Submitted)
    def __init__(self, number, record_id, record_kind, document_number, credit_code, party_name,  # noqa: PLR0913
                 department, statement, materials, limits, on, submitter):
        self.number = number
        self.record_id = record_id
        self.record_kind = record_kind
        self.document_number = document_number
        self.credit_code = credit_code
        self.party_name = party_name
        self.department = department
        self.statement = statement
        self.materials = materials
        self.limits = limits
        self.status = SUBMITTED
        self.steps = [{"status": SUBMITTED, "on": on, "reason": statement, "by": submitter}]

    class Accepted(CaseStep):
        TOPIC = "gongshi:RepairCase.Accepted"
        status = ACCEPTED

    class Refused(CaseStep):
        TOPIC = "gongshi:RepairCase.Refused"
        status = REFUSED

    class Approved(CaseStep):
        TOPIC = "gongshi:RepairCase.Approved"
        status = APPROVED

    class Rejected(CaseStep):
        TOPIC = "gongshi:RepairCase.Rejected"
        status = REJECTED

    class Revoked(CaseStep):
        """The repair rested on false material or a broken commitment (修复撤销)."""

        TOPIC = "gongshi:RepairCase.Revoked"
        status = REVOKED

    class Withdrawn(CaseStep):
        TOPIC = "gongshi:RepairCase.Withdrawn"
        status = WITHDRAWN_BY_APPLICANT

    # -- reading ------------------------------------------------------------------------------------
    def since(self, status: str) -> str | None:
        """The day the case last entered `status`."""
        return next((s["on"] for s in reversed(self.steps) if s["status"] == status), None)

    def due(self) -> str | None:
        """The last day for the department's next decision (None once decided)."""
        if self.status == SUBMITTED:
            return deadline(self.since(SUBMITTED), self.limits["acceptance_working_days"])
        if self.status == ACCEPTED:
            return deadline(self.since(ACCEPTED), self.limits["decision_working_days"])
        return None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


# -- eligibility ---------------------------------------------------------------------------------------
def _reason(code: str, zh: str, en: str, field: str = "record") -> FieldError:
    return FieldError(field, code, zh, en)


def repair_eligibility(ledger: Any, record: Record, docket: Any, today: dt.date) -> list[FieldError]:
    """Why this record cannot be repaired today; an empty list means the firm may apply."""
    iso = today.isoformat()
    limits = limits_for(REPAIR, today)
    if record.kind not in REPAIRABLE_KINDS:
        return [_reason("not_repairable", "该类信息不适用信用修复（只有行政处罚、经营异常名录和严重失信主体名单可以修复）",
                        f"a {record.kind} record cannot be repaired (only penalties and list entries)")]
    if record.status == WITHDRAWN:
        return [_reason("withdrawn", "该信息已撤回，不再公示，无需修复", "the record was withdrawn; nothing to repair")]
    if record.status == REPAIRED:
        return [_reason("already_repaired", "该信息已完成信用修复", "the record is already repaired")]
    reasons = []
    open_case = docket.open_case(REPAIR, str(record.id)) if docket else None
    if open_case:
        reasons.append(_reason("open_case", f"该信息已有正在办理的修复申请（案件 {open_case['number']}），不能重复申请",
                               f"case {open_case['number']} about this record is still open"))
    barred = docket.barred_until(limits["revocation_bar_months"]) if docket else None
    if barred and iso < barred:
        reasons.append(_reason("barred", f"此前的信用修复因材料不实或违背承诺被撤销，{barred} 前不得再次申请",
                               f"an earlier repair was revoked; no new application before {barred}", "credit_code"))
    starts, ends, why_not = _repair_period(ledger, record, limits)
    if why_not:
        reasons.append(why_not)
    elif ends is not None and iso >= ends:
        reasons.append(_reason("publicity_ended", f"该信息已于 {ends} 期满停止公示，无需修复",
                               f"publicity ended on {ends}; nothing to repair"))
    elif iso < starts:
        reasons.append(_reason("too_early", f"最短公示期尚未届满：自 {starts} 起方可申请信用修复",
                               f"the minimum publicity period has not passed; apply from {starts}"))
    return reasons


def _repair_period(ledger: Any, record: Record, limits: dict[str, Any]) -> tuple[str, str | None, FieldError | None]:
    """(first day repair is possible, day publicity ends or None, a reason there is nothing to repair)."""
    if record.kind == "penalty":
        window = record.window or {}
        if not window.get("published", True):
            return "", None, _reason("not_published", "该处罚依规定不予公示，无需修复", "this penalty is not published")
        return window["min_end"], window["max_end"], None
    if record.removal is not None:
        return "", None, _reason("removed", f"已于 {record.removal['decision_date']} 移出名录，无需修复",
                                 f"removed from the list on {record.removal['decision_date']}")
    decided = record.fields["decision_date"]
    starts = months_after(decided, limits["listing_min_months"].get(record.kind, 0))
    ends = months_after(decided, ledger.rules["lists"]["dishonesty_listing_months"]) \
        if record.kind == "dishonesty_listing" else None
    return starts, ends, None


# -- commands ---------------------------------------------------------------------------------------------
def check_repair(ledger: Any, actor: Actor, record_id: str, today: dt.date) -> tuple[Record, list[FieldError]]:
    """The firm's record and why it cannot be repaired today (empty: eligible)."""
    record = firm_record(ledger, actor, record_id)
    return record, repair_eligibility(ledger, record, docket_of(ledger, actor.credit_code), today)


def check_materials(materials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    roles = {m.get("role") for m in materials}
    for role, label in MATERIAL_ROLES.items():
        if role not in roles:
            raise CaseInputError(role, "required", f"请上传{label}", f"at least one {role} document is required")
    return materials


def apply_for_repair(ledger: Any, actor: Actor, record_id: str, materials: list[dict[str, Any]],
                     statement: str, today: dt.date) -> tuple[str, int]:
    """Open a repair case; returns (case number, log position)."""
    materials = check_materials(materials)
    numbers: list[str] = []

    def command():
        number = new_case_number(REPAIR, today)  # drawn again if a retry follows a (vanishingly rare) clash
        numbers.append(number)
        record, reasons = check_repair(ledger, actor, record_id, today)
        if reasons:
            raise NotEligibleError(reasons)
        docket = docket_of(ledger, actor.credit_code)
        case = RepairCase._create(
            RepairCase.Submitted, id=case_id(number), number=number, record_id=str(record.id),
            record_kind=record.kind, document_number=record.fields.get("document_number", ""),
            credit_code=actor.credit_code, party_name=record.fields.get("party_name", ""),
            department=record.department, statement=(statement or "").strip()[:4000], materials=materials,
            limits=limits_for(REPAIR, today), on=today.isoformat(), submitter=actor.identity)
        docket.opened(case.id, number, REPAIR, str(record.id))
        return [case, docket]

    position = execute(ledger, command)
    return numbers[-1], position


#: step -> (event, statuses it may follow, reason required, who acts, Chinese verb, English verb)
STEPS: dict[str, tuple[type[CaseStep], tuple[str, ...], bool, str, str, str]] = {
    "accept": (RepairCase.Accepted, (SUBMITTED,), False, "reviewer", "受理", "accepted"),
    "refuse": (RepairCase.Refused, (SUBMITTED,), True, "reviewer", "不予受理", "refused"),
    "approve": (RepairCase.Approved, (ACCEPTED,), False, "reviewer", "准予修复", "approved"),
    "reject": (RepairCase.Rejected, (ACCEPTED,), True, "reviewer", "不予修复", "rejected"),
    "revoke": (RepairCase.Revoked, (APPROVED,), True, "reviewer", "撤销修复", "revoked"),
    "withdraw": (RepairCase.Withdrawn, OPEN_STATUSES, False, "firm", "撤回申请", "withdrawn"),
}


def decide_repair(ledger: Any, actor: Actor, number: str, step: str, reason: str | None, today: dt.date) -> int:
    """Take one step on a repair case (accept, refuse, approve, reject, revoke, withdraw); returns the log position."""
    if step not in STEPS:
        raise CaseInputError("step", "unknown_step", f"未知的办理操作：{step}", f"unknown step {step}")
    event_class, allowed, needs_reason, who, zh, en = STEPS[step]
    text = require_text(reason, "reason", "理由", "a reason") if needs_reason else (reason or "").strip()[:4000]

    def command():
        case: RepairCase = load_case(ledger, number, RepairCase)
        if who == "firm":
            require_firm(actor, case.credit_code, case.number)
        else:
            require_department(actor, case.department, case.number)
        require_status(case.status, allowed, STATUS_LABELS, zh, en)
        case.trigger_event(event_class, reason=text, on=today.isoformat(), submitter=actor.identity)
        touched: list[Any] = [case]
        if step in ("approve", "revoke"):
            record: Record = ledger.repository.get(UUID(case.record_id))
            if step == "approve":
                record.repair(str(case.id), case.department, actor.identity)
            else:
                record.revoke_repair(str(case.id), text, case.department, actor.identity)
            touched.append(record)
        if step != "accept":
            docket = docket_of(ledger, case.credit_code)
            docket.closed(case.id)
            if step == "revoke":
                docket.repair_revoked(case.id, today)
            touched.append(docket)
        return touched

    return execute(ledger, command)
