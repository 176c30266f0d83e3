"""What credit-repair and objection cases share: limits, numbers, actors, errors, the docket.

A case is its own aggregate (domain/repair.py, domain/objections.py). The `Docket` is one
small aggregate per firm listing its open cases: saving it with every opening and
closing makes "one open case per record" hold even when two requests race, because the
second save conflicts on the docket's version and is re-run against the new state.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

import schemas
from domain.publicity import add_months
from domain.records import Record
from domain.validation import FieldError, ValidationFailed
from domain.workdays import as_date, calendar

REPAIR, OBJECTION = "repair", "objection"
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the credit-code alphabet: no I, O, S, V, Z
_PREFIX = {REPAIR: "XF", OBJECTION: "YY"}  # 修复, 异议


# -- configuration ------------------------------------------------------------------------------
class CaseStep(Aggregate.Event):
    """One decision on a repair or objection case: who, on which day, why."""

    status: ClassVar[str] = ""
    reason: str
    on: str
    submitter: str

    def apply(self, case: Any) -> None:
        case.status = self.status
        case.steps = [*case.steps, {"status": self.status, "on": self.on, "reason": self.reason, "by": self.submitter}]


@cache
def case_limits() -> dict[str, Any]:
    """schemas/case_limits.json: time limits with effective dates, upload and account policy."""
    return schemas.load("case_limits.json")


def limits_for(kind: str, on: dt.date | str) -> dict[str, Any]:
    """The time limits of one case kind in force on a day (the earliest set for older days)."""
    iso = as_date(on).isoformat()
    sets = case_limits()["rule_sets"]
    found = next((r for r in sets if r["from"] <= iso and (r["to"] is None or iso <= r["to"])), sets[0])
    return {"rule_set": found["id"], **{k: v for k, v in found[kind].items() if not k.endswith("_note")}}


def deadline(since: dt.date | str, working_days: int) -> str:
    """The last day of a period of working days starting after `since` (ISO date)."""
    return calendar().add_working_days(since, working_days).isoformat()


def months_after(day: dt.date | str, months: int) -> str:
    return add_months(as_date(day), months).isoformat()


# -- errors: translated to HTTP status codes at the web edge only ------------------------------------
class CaseError(ValidationFailed):
    """A refused case command; `errors` name the field and say why in Chinese and English."""

    def __init__(self, field: str, code: str, zh: str, en: str):
        super().__init__([FieldError(field, code, zh, en)])


class CaseNotFoundError(CaseError):
    pass


class CaseForbiddenError(CaseError):
    """The actor may not act on (or see) this case: another firm's, or another department's."""


class InvalidTransitionError(CaseError):
    """The case is not in a state that allows this step (approving a refused case...)."""


class CaseInputError(CaseError):
    """Missing or malformed input: a reason, a material, a correction."""


class NotEligibleError(ValidationFailed):
    """The record cannot be the subject of a new case today; every reason is listed."""


class ConcurrentChangeError(CaseError):
    pass


def require_text(value: str | None, field: str, zh: str, en: str) -> str:
    text = (value or "").strip()
    if not text:
        raise CaseInputError(field, "required", f"请填写{zh}", f"{en} is required")
    if len(text) > 4000:
        raise CaseInputError(field, "too_long", f"{zh}不能超过4000字", f"{en} is limited to 4000 characters")
    return text


# -- who acts -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Actor:
    """A firm (bound to one credit code) or a reviewer (bound to one department)."""

    identity: str
    credit_code: str | None = None
    department: str | None = None

    @classmethod
    def firm(cls, credit_code: str) -> Actor:
        return cls(f"firm:{credit_code}", credit_code=credit_code)

    @classmethod
    def reviewer(cls, identity: str, department: str) -> Actor:
        return cls(identity, department=department)


def require_firm(actor: Actor, credit_code: str, number: str) -> None:
    if actor.credit_code is None or actor.credit_code != credit_code:
        raise CaseForbiddenError("case", "not_your_case", f"案件 {number} 不是本企业的申请，无权查看或办理",
                                 f"case {number} belongs to another firm")


def require_department(actor: Actor, department: str, number: str) -> None:
    if actor.department is None or actor.department != department:
        raise CaseForbiddenError("case", "other_department",
                                 f"案件 {number} 由作出该信息的部门（{department}）办理，您所在部门无权处理",
                                 f"case {number} is decided by department {department}, not yours")


def require_status(status: str, allowed: Sequence[str], labels: dict[str, str], step_zh: str, step_en: str) -> None:
    if status not in allowed:
        raise InvalidTransitionError(
            "status", "invalid_transition",
            f"案件当前状态为「{labels[status]}」，不能{step_zh}",
            f"the case is {status}; it cannot be {step_en} (allowed from: {', '.join(allowed)})")


# -- identifiers ----------------------------------------------------------------------------------
def case_id(number: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/cases/{number}")


def new_case_number(kind: str, on: dt.date) -> str:
    """A case number that is easy to read out and hard to guess: XF20261125-7K3Q9D."""
    tail = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(6))
    return f"{_PREFIX[kind]}{on:%Y%m%d}-{tail}"


def normalise_number(text: str) -> str:
    return text.strip().upper()


def docket_id(credit_code: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/dockets/{credit_code}")


# -- the docket -------------------------------------------------------------------------------------
class Docket(Aggregate):
    """A firm's open cases (one per record and case kind) and its repair revocations."""

    TOPIC = "gongshi:Docket"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:Docket.Created"

    class Started(Aggregate.Created):
        TOPIC = "gongshi:Docket.Started"
        credit_code: str

    @event(Started)
    def __init__(self, credit_code: str):
        self.credit_code = credit_code
        self.open: dict[str, dict[str, str]] = {}  # case id -> {number, kind, record_id}
        self.revocations: list[dict[str, str]] = []

    class CaseOpened(Aggregate.Event):
        TOPIC = "gongshi:Docket.CaseOpened"
        case_id: str
        number: str
        case_kind: str
        record_id: str

        def apply(self, docket: Docket) -> None:
            docket.open = {**docket.open, self.case_id: {"number": self.number, "kind": self.case_kind,
                                                         "record_id": self.record_id}}

    class CaseClosed(Aggregate.Event):
        TOPIC = "gongshi:Docket.CaseClosed"
        case_id: str

        def apply(self, docket: Docket) -> None:
            docket.open = {k: v for k, v in docket.open.items() if k != self.case_id}

    class RepairRevoked(Aggregate.Event):
        TOPIC = "gongshi:Docket.RepairRevoked"
        case_id: str
        on: str

        def apply(self, docket: Docket) -> None:
            docket.revocations = [*docket.revocations, {"case_id": self.case_id, "on": self.on}]

    def open_case(self, kind: str, record_id: str) -> dict[str, str] | None:
        """The open case of this kind about this record, if any."""
        return next((c for c in self.open.values() if c["kind"] == kind and c["record_id"] == record_id), None)

    def opened(self, case_id: UUID, number: str, kind: str, record_id: str) -> None:
        self.trigger_event(self.CaseOpened, case_id=str(case_id), number=number, case_kind=kind, record_id=record_id)

    def closed(self, case_id: UUID) -> None:
        if str(case_id) in self.open:
            self.trigger_event(self.CaseClosed, case_id=str(case_id))

    def repair_revoked(self, case_id: UUID, on: dt.date) -> None:
        self.trigger_event(self.RepairRevoked, case_id=str(case_id), on=on.isoformat())

    def barred_until(self, months: int) -> str | None:
        """The day until which a revoked repair bars new applications (None if never revoked)."""
        if not self.revocations or months <= 0:
            return None
        return max(months_after(r["on"], months) for r in self.revocations)


# -- loading and saving ---------------------------------------------------------------------------------
def get_or_none(ledger: Any, aggregate_id: UUID) -> Any:
    try:
        return ledger.repository.get(aggregate_id)
    except AggregateNotFoundError:
        return None


def docket_of(ledger: Any, credit_code: str) -> Docket:
    """The firm's docket, started (unsaved) when it has none yet."""
    docket = get_or_none(ledger, docket_id(credit_code))
    return docket or Docket._create(Docket.Started, id=docket_id(credit_code), credit_code=credit_code)


def load_case(ledger: Any, number: str, case_type: type | tuple[type, ...]) -> Any:
    found = get_or_none(ledger, case_id(normalise_number(number)))
    if not isinstance(found, case_type):
        raise CaseNotFoundError("case", "not_found", f"找不到案件 {number}，请核对案件编号",
                                f"no case {number}; check the case number")
    return found


def firm_record(ledger: Any, actor: Actor, record_id: str) -> Record:
    """One of the acting firm's own records (another firm's is refused, never shown)."""
    try:
        record = get_or_none(ledger, UUID(str(record_id)))
    except ValueError:
        record = None
    if not isinstance(record, Record):
        raise CaseNotFoundError("record_id", "not_found", "找不到该信用信息", f"no record {record_id}")
    if actor.credit_code is None or record.fields.get("credit_code") != actor.credit_code:
        raise CaseForbiddenError("record_id", "not_your_record", "该信息不属于本企业，不能为其申请",
                                 "this record is about another entity")
    return record


def execute(ledger: Any, command: Callable[[], Sequence[Aggregate]], attempts: int = 3) -> int:
    """Run a command and save everything it touched in one transaction; return the last log position.

    When another request changed one of the aggregates first, the save fails as a whole
    and the command is run again from fresh state (where it may now be refused).
    """
    for _ in range(attempts):
        aggregates = [a for a in command() if a.pending_events]
        try:
            recordings = ledger.save(*aggregates)
        except IntegrityError:
            continue
        return recordings[-1].notification.id
    raise ConcurrentChangeError("case", "concurrent_change", "案件正被同时办理，请刷新后重试",
                                "the case was changed at the same time by someone else; reload and retry")
