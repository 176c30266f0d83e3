"""Credit repair (信用修复), DOMAIN.md section 4: the repair case and who may apply.

A firm applies about one of its own penalties or list entries; the department that
recorded it accepts or refuses, then approves or rejects, each within the configured
working days (the steps are data: schemas/case_workflows.json). Approval closes the case
and repairs the record in one transaction, so the record leaves every public surface
together with the decision. A repair resting on false material can be revoked: the
record is public again and the firm is barred from applying for a while.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.cases import REPAIR, Case, CaseStep, CaseSubmitted, Docket, limits_for, months_after
from domain.errors import FieldError, InputError
from domain.publicity import list_until
from domain.records import REPAIRABLE_KINDS, REPAIRED, WITHDRAWN, Record

SUBMITTED, ACCEPTED, REFUSED, APPROVED, REJECTED, REVOKED, WITHDRAWN_BY_APPLICANT, REMOVED = (
    "submitted", "accepted", "refused", "approved", "rejected", "revoked", "withdrawn", "removed")
MATERIAL_ROLES = {"proof": "履行义务证明（缴款凭证、整改证明等）", "commitment": "信用修复承诺书"}


class RepairCase(Case):
    """One application for credit repair about one record."""

    TOPIC = "gongshi:RepairCase"
    kind = REPAIR

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:RepairCase.Created"

    class Submitted(CaseSubmitted):
        TOPIC = "gongshi:RepairCase.Submitted"

    @event(Submitted)
    def __init__(self, number, record_id, record_kind, document_number, credit_code, party_name,  # noqa: PLR0913
                 department, statement, materials, limits, on, submitter, subject_type):
        self._start(number, record_id, record_kind, document_number, credit_code, party_name, department,
                    statement, materials, limits, on, submitter, subject_type)

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

    class SettledByRemoval(CaseStep):
        """The application was met by a removal decision a deadline rule took (补报年报后移出, domain/deadlines.py):
        the listing stays in the record's history as removed, it is not repaired."""

        TOPIC = "gongshi:RepairCase.SettledByRemoval"
        status = REMOVED


# -- eligibility ---------------------------------------------------------------------------------------
def _reason(code: str, zh: str, en: str, field: str = "record") -> FieldError:
    return FieldError(field, code, zh, en)


def repair_eligibility(record: Record, docket: Docket | None, today: dt.date,
                       publicity_rules: dict[str, Any]) -> list[FieldError]:
    """Why this record cannot be repaired today; an empty list means the firm may apply."""
    iso = today.isoformat()
    limits = limits_for(REPAIR, today)
    if record.kind not in REPAIRABLE_KINDS:
        return [_reason("not_repairable", "该类信息不适用信用修复（只有行政处罚、经营异常名录和严重违法失信名单可以修复）",
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
    starts, ends, why_not = _repair_period(record, limits, publicity_rules)
    if why_not:
        reasons.append(why_not)
    elif ends is not None and iso >= ends:
        reasons.append(_reason("publicity_ended", f"该信息已于 {ends} 期满停止公示，无需修复",
                               f"publicity ended on {ends}; nothing to repair"))
    elif iso < starts:
        reasons.append(_reason("too_early", f"最短公示期尚未届满：自 {starts} 起方可申请信用修复",
                               f"the minimum publicity period has not passed; apply from {starts}"))
    return reasons


def _repair_period(record: Record, limits: dict[str, Any],
                   publicity_rules: dict[str, Any]) -> tuple[str, str | None, FieldError | None]:
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
    ends = list_until(publicity_rules, record.kind, record.fields)
    return starts, ends, None


def check_materials(materials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An application needs proof of performance and the commitment letter."""
    roles = {m.get("role") for m in materials}
    for role, label in MATERIAL_ROLES.items():
        if role not in roles:
            raise InputError(role, "required", f"请上传{label}", f"at least one {role} document is required")
    return materials
