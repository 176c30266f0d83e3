"""Case commands (credit repair, objections): load by number or record, take the step, save once.

Every command saves the case together with what its step does to the record and to the
firm's docket (schemas/case_workflows.json says which), in one transaction, and returns
after the read models have caught up: an approved repair has left every public surface
when the answer is sent.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from application.ledger import Ledger, last_position
from domain import objections, repair
from domain.cases import (
    MAX_TEXT,
    OBJECTION,
    REPAIR,
    Actor,
    Case,
    Docket,
    Step,
    case_id,
    case_kinds,
    case_not_found,
    limits_for,
    new_case_number,
    normalise_number,
    require_text,
    step_reason,
    workflows,
)
from domain.errors import CaseForbiddenError, CaseNotFoundError, FieldError, InputError, NotEligibleError
from domain.records import Record
from domain.submission import Checker


class Cases:
    """The commands and reads of every kind of case."""

    def __init__(self, ledger: Ledger, checker: Checker, publicity_rules: dict[str, Any],
                 catch_up: Callable[[], None]):
        self.ledger = ledger
        self.checker = checker
        self.publicity_rules = publicity_rules
        self.catch_up = catch_up

    # -- reads ------------------------------------------------------------------------------------
    def case(self, number: str, kind: str | None = None) -> Case:
        """A case by its number (of one kind, when given)."""
        found = self.ledger.get_or_none(case_id(normalise_number(number)))
        wanted = case_kinds()[kind] if kind else Case
        if not isinstance(found, wanted):
            raise case_not_found(number)
        return found

    def docket(self, credit_code: str) -> Docket:
        """The firm's docket, started (unsaved) when it has none yet."""
        return self.ledger.get_or_none(Docket.create_id(credit_code)) or Docket(credit_code=credit_code)

    def firm_record(self, actor: Actor, record_id: str) -> Record:
        """One of the acting firm's own records (another firm's is refused, never shown)."""
        try:
            record = self.ledger.get_or_none(UUID(str(record_id)))
        except ValueError:
            record = None
        if not isinstance(record, Record):
            raise CaseNotFoundError("record_id", "not_found", "找不到该信用信息", f"no record {record_id}")
        if actor.credit_code is None or record.fields.get("credit_code") != actor.credit_code:
            raise CaseForbiddenError("record_id", "not_your_record", "该信息不属于本企业，不能为其申请",
                                     "this record is about another entity")
        return record

    def repair_eligibility(self, actor: Actor, record_id: str, today: dt.date) -> tuple[Record, list[FieldError]]:
        """The firm's record and why it cannot be repaired today (empty: eligible)."""
        record = self.firm_record(actor, record_id)
        return record, self.repair_reasons(record, self.docket(actor.credit_code), today)

    def repair_reasons(self, record: Record, docket: Docket, today: dt.date) -> list[FieldError]:
        return repair.repair_eligibility(record, docket, today, self.publicity_rules)

    def objection_eligibility(self, actor: Actor, record_id: str) -> tuple[Record, list[FieldError]]:
        """The firm's record and why it cannot be objected to now (empty: it can)."""
        record = self.firm_record(actor, record_id)
        return record, objections.objection_eligibility(record, self.docket(actor.credit_code))

    def eligibility(self, actor: Actor, record_id: str, kind: str, today: dt.date) -> tuple[Record, list[FieldError]]:
        if kind == REPAIR:
            return self.repair_eligibility(actor, record_id, today)
        return self.objection_eligibility(actor, record_id)

    def record(self, record_id: str) -> Record:
        return self.ledger.repository.get(UUID(record_id))

    # -- opening a case -------------------------------------------------------------------------------
    def apply_for_repair(self, actor: Actor, record_id: str, materials: list[dict[str, Any]], statement: str,
                         today: dt.date) -> tuple[str, int]:
        """Open a repair case; returns (case number, log position)."""
        materials = repair.check_materials(materials)

        def open_case(number: str) -> list[Any]:
            record, docket = self.firm_record(actor, record_id), self.docket(actor.credit_code)
            reasons = self.repair_reasons(record, docket, today)
            if reasons:
                raise NotEligibleError(reasons)
            return self._opened(docket, repair.RepairCase(
                **_subject(number, record, actor), statement=(statement or "").strip()[:MAX_TEXT], materials=materials,
                limits=limits_for(REPAIR, today), on=today.isoformat(), submitter=actor.identity))

        return self.open_new(REPAIR, today, open_case)

    def raise_objection(self, actor: Actor, record_id: str, grounds: list[str], statement: str,
                        materials: list[dict[str, Any]], today: dt.date) -> tuple[str, int]:
        """Open an objection case; returns (case number, log position)."""
        chosen = objections.check_grounds(grounds)
        text = require_text(statement, "statement", "异议的具体内容", "a statement of the objection")

        def open_case(number: str) -> list[Any]:
            record, docket = self.firm_record(actor, record_id), self.docket(actor.credit_code)
            reasons = objections.objection_eligibility(record, docket)
            if reasons:
                raise NotEligibleError(reasons)
            return self._opened(docket, objections.ObjectionCase(
                **_subject(number, record, actor), grounds=chosen, statement=text, materials=materials,
                limits=limits_for(OBJECTION, today), on=today.isoformat(), submitter=actor.identity))

        return self.open_new(OBJECTION, today, open_case)

    @staticmethod
    def _opened(docket: Docket, case: Case) -> list[Any]:
        """The new case and the docket it was judged eligible against (loaded once: a racing
        application then conflicts on the docket's version instead of opening a second case)."""
        docket.opened(case)
        return [case, docket]

    def open_new(self, kind: str, today: dt.date, open_case: Callable[[str], list[Any]]) -> tuple[str, int]:
        return self.open_new_numbered(lambda: new_case_number(kind, today), open_case)

    def open_new_numbered(self, number: Callable[[], str], open_case: Callable[[str], list[Any]]) -> tuple[str, int]:
        """Open a case under a new number from `number` (a project's code, say): drawn again on a clash."""
        numbers: list[str] = []

        def command() -> list[Any]:
            numbers.append(number())  # drawn again if a retry follows a (vanishingly rare) clash
            return open_case(numbers[-1])

        position = self.save(command)
        return numbers[-1], position

    # -- steps ----------------------------------------------------------------------------------------
    def step(self, actor: Actor, number: str, step: str, reason: str | None, today: dt.date,
             kind: str | None = None) -> int:
        """Take one configured step on a case (accept, refuse, approve, withdraw...); returns the log position."""
        case_kind = kind or self.case(number).kind
        configured = workflows()[case_kind].step(step)
        if configured.name in ("supply_material", "resolve", "transfer", "conclude", "confirm"):  # these carry more
            raise InputError("step", "unknown_step", f"未知的办理操作：{step}", f"unknown step {step}")
        text = step_reason(configured, reason)
        return self.save(lambda: self.take(case_kind, number, configured, actor, text, today))

    def supply_material(self, actor: Actor, number: str, statement: str, materials: list[dict[str, Any]],
                        today: dt.date) -> int:
        """The firm answers a request for material; the case waits for acceptance again."""
        text = (statement or "").strip()[:MAX_TEXT]
        if not text and not materials:
            raise InputError("materials", "required", "请上传补充材料或填写补充说明", "upload material or write a statement")
        configured = workflows()[OBJECTION].step("supply_material")
        return self.save(lambda: self.take(OBJECTION, number, configured, actor, text, today, materials=materials))

    def resolve_objection(self, actor: Actor, number: str, outcome: str, reason: str | None, patch: Any,
                          today: dt.date) -> int:
        """Resolve an accepted objection; the record changes in the same transaction as the case."""
        objections.check_outcome(outcome)
        configured = workflows()[OBJECTION].step("resolve")
        text = require_text(reason, "reason", "处理理由", "a reason")

        def settle(case: Case, record: Record) -> None:
            fields = window = None
            if outcome in (objections.CORRECTED, objections.SUPPLEMENTED):
                fields = objections.corrected_fields(self.checker.validator, record, patch)
                window = self.checker.window(record.kind, fields, record.department)
            objections.settle(record, outcome, text, actor, fields, window)
            record.close_objection(str(case.id), outcome, actor.identity)

        return self.save(lambda: self.take(OBJECTION, number, configured, actor, text, today, settle=settle,
                                             outcome=outcome))

    def take(self, kind: str, number: str, step: Step, actor: Actor, reason: str, today: dt.date, *,
             settle: Callable[[Case, Record], None] | None = None, new_record: Callable[[Case], Record] | None = None,
             **extra: Any) -> list[Any]:
        """The step on the case, then its effects on the record and the docket: [case, record?, docket?].

        `new_record` makes the record a step creates (a confirmed contribution's society-sourced record)."""
        case = self.case(number, kind)
        record = None
        case.take(step, actor, reason, today, **extra)
        if new_record is not None:
            record = new_record(case)
        elif step.record is not None:
            record = self.record(case.record_id)
            if settle is not None:
                settle(case, record)
            elif step.record == "repair":
                record.repair(str(case.id), case.department, actor.identity)
            elif step.record == "revoke_repair":
                record.revoke_repair(str(case.id), reason, case.department, actor.identity)
            elif step.record == "open_objection":
                record.open_objection(str(case.id), actor.identity)
            elif step.record == "close_objection":
                record.close_objection(str(case.id), step.outcome or "", actor.identity)
        touched: list[Any] = [case] if record is None else [case, record]
        if step.closes:
            docket = self.docket(case.docket_key)
            docket.closed(case.id)
            if step.bars:
                docket.repair_revoked(case.id, today)
            touched.append(docket)
        return touched

    def save(self, command: Callable[[], Sequence[Any]]) -> int:
        position = last_position(self.ledger.execute(command))
        self.catch_up()
        return position or self.ledger.position()


def _subject(number: str, record: Record, actor: Actor) -> dict[str, Any]:
    """The fields every case's created event carries about its subject record."""
    return {"number": number, "record_id": str(record.id), "record_kind": record.kind,
            "document_number": record.fields.get("document_number", ""), "credit_code": actor.credit_code,
            "party_name": record.fields.get("party_name", ""), "department": record.department,
            "subject_type": "record"}
