"""The one case model: an application about one subject, decided in steps within working-day limits.

Credit repair (domain/repair.py), objections (domain/objections.py), complaints
(domain/complaints.py) and contributions of credit information from society
(domain/contributions.py) are its uses; data-quality flags and project approvals are to be more. What differs between
uses is data: the statuses, which stage's clock runs in each and under which limit, and
the steps (from which statuses, by whom, with or without a reason, what they do to the
record and to the firm's docket) are in schemas/case_workflows.json; the limits in force
on the day a case is submitted are in schemas/case_limits.json and stored in the case.

What each step event means (the status it enters) is fixed in code on the event class, so
that a changed configuration never changes how a stored case replays.

The `Docket` is one small aggregate per firm listing its open cases: saving it with every
opening and closing makes "one open case per record" hold even when two requests race,
because the second save conflicts on the docket's version and is re-run against the new state.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

import schemas
from domain.errors import CaseForbiddenError, CaseNotFoundError, InputError, InvalidTransitionError
from domain.publicity import add_months
from domain.rulesets import in_force
from domain.workdays import as_date, calendar

REPAIR, OBJECTION = "repair", "objection"
FIRM, REVIEWER, RULE = "firm", "reviewer", "rule"
RULE_PREFIX = "rule:"  # the identity of a deadline rule acting for its department (domain/deadlines.py)
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the credit-code alphabet: no I, O, S, V, Z
MAX_TEXT = 4000


# -- configuration ------------------------------------------------------------------------------
@cache
def case_limits() -> dict[str, Any]:
    """schemas/case_limits.json: time limits with effective dates, upload and account policy."""
    return schemas.load("case_limits.json")


def limits_for(kind: str, on: dt.date | str) -> dict[str, Any]:
    """The time limits of one case kind in force on a day (the earliest set for older days)."""
    found = in_force(case_limits()["rule_sets"], as_date(on))
    return {"rule_set": found["id"], **{k: v for k, v in found[kind].items() if not k.endswith("_note")}}


def deadline(since: dt.date | str, working_days: int) -> str:
    """The last day of a period of working days starting after `since` (ISO date)."""
    return calendar().add_working_days(since, working_days).isoformat()


def months_after(day: dt.date | str, months: int) -> str:
    return add_months(as_date(day), months).isoformat()


@dataclass(frozen=True)
class Step:
    """One step of a workflow, as configured."""

    name: str
    event: str
    allowed: tuple[str, ...]
    by: str
    needs_reason: bool
    zh: str
    en: str
    button: str | None
    closes: bool
    record: str | None
    outcome: str | None
    bars: bool


@dataclass(frozen=True)
class Workflow:
    """The statuses and steps of one kind of case (schemas/case_workflows.json)."""

    kind: str
    label: str
    number_prefix: str
    statuses: dict[str, dict[str, Any]]
    steps: dict[str, Step]

    @property
    def status_labels(self) -> dict[str, str]:
        return {s: v["label"] for s, v in self.statuses.items()}

    @property
    def open_statuses(self) -> tuple[str, ...]:
        return tuple(s for s, v in self.statuses.items() if v.get("open"))

    def stage(self, status: str) -> tuple[str | None, str | None]:
        """(stage whose clock runs in this status, the limit setting its deadline); (None, None) once decided."""
        found = self.statuses[status]
        return found.get("stage"), found.get("limit")

    def step(self, name: str) -> Step:
        if name not in self.steps:
            raise InputError("step", "unknown_step", f"未知的办理操作：{name}", f"unknown step {name}")
        return self.steps[name]

    def buttons(self, status: str, by: str = REVIEWER) -> list[tuple[str, str, bool]]:
        """What `by` may do next from `status`: (step, button text, reason required), in configured order."""
        return [(s.name, s.button, s.needs_reason) for s in self.steps.values()
                if s.button and s.by == by and status in s.allowed]


@cache
def workflows() -> dict[str, Workflow]:
    data = schemas.load("case_workflows.json")["workflows"]
    return {kind: Workflow(kind, w["label"], w["number_prefix"], w["statuses"], {
        name: Step(name, s["event"], tuple(s["from"]), s["by"], s["reason"], s["zh"], s["en"], s.get("button"),
                   s.get("closes", False), s.get("record"), s.get("outcome"), s.get("bars", False))
        for name, s in w["steps"].items()}) for kind, w in data.items()}


@cache
def stage_labels() -> dict[str, str]:
    return dict(schemas.load("case_workflows.json")["stages"])


def require_text(value: str | None, field: str, zh: str, en: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InputError(field, "required", f"请填写{zh}", f"{en} is required")
    if len(text) > MAX_TEXT:
        raise InputError(field, "too_long", f"{zh}不能超过{MAX_TEXT}字", f"{en} is limited to {MAX_TEXT} characters")
    return text


def step_reason(step: Step, reason: str | None) -> str:
    """The step's reason: required where configured, else optional and cut to the limit."""
    if step.needs_reason:
        return require_text(reason, "reason", "理由", "a reason")
    return (reason or "").strip()[:MAX_TEXT]


# -- who acts -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Actor:
    """A firm (bound to one credit code), a reviewer (bound to one department) or a contributor of
    society-sourced information (bound to its own credit code, but never acting as that firm)."""

    identity: str
    credit_code: str | None = None
    department: str | None = None
    contributor: str | None = None

    @classmethod
    def firm(cls, credit_code: str) -> Actor:
        return cls(f"firm:{credit_code}", credit_code=credit_code)

    @classmethod
    def reviewer(cls, identity: str, department: str) -> Actor:
        return cls(identity, department=department)

    @classmethod
    def contributor_of(cls, credit_code: str) -> Actor:
        """A registered contributor (domain/contributors.py) reporting about other entities."""
        return cls(f"contributor:{credit_code}", contributor=credit_code)

    @classmethod
    def rule(cls, rule_id: str, department: str) -> Actor:
        """A deadline rule deciding for its department (schemas/deadline_rules.json)."""
        return cls(f"{RULE_PREFIX}{rule_id}", department=department)


# -- identifiers ----------------------------------------------------------------------------------
def case_id(number: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/cases/{number}")


def new_case_number(kind: str, on: dt.date) -> str:
    """A case number that is easy to read out and hard to guess: XF20261125-7K3Q9D."""
    tail = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(6))
    return f"{workflows()[kind].number_prefix}{on:%Y%m%d}-{tail}"


def normalise_number(text: str) -> str:
    return text.strip().upper()


def docket_id(credit_code: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/dockets/{credit_code}")


# -- the case ---------------------------------------------------------------------------------------
class CaseStep(Aggregate.Event):
    """One decision on a case: who, on which day, why. `status` is what the step means, forever."""

    status: ClassVar[str] = ""
    restarts_clock: ClassVar[bool] = True  # entering its status starts that stage's clock (a project's opinion: no)
    reason: str
    on: str
    submitter: str

    def apply(self, case: Any) -> None:
        case.status = self.status
        case.steps = [*case.steps, {"status": self.status, "on": self.on, "reason": self.reason, "by": self.submitter}]


class CaseSubmitted(Aggregate.Created):
    """What every case's opening event carries: its subject, the statement, the material, the limits in force.

    Version 2 names what the case is about (`subject_type`): "record" for repairs and
    objections; complaints are to add entities, online shops, traceability codes and agencies.
    """

    class_version = 2
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
    subject_type: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["subject_type"] = "record"  # every case opened before version 2 was about a credit record


class Case(Aggregate):
    """What every kind of case shares: its subject record, the department deciding it, the steps taken.

    A use sets `kind` and defines its `Submitted` event and step events (names as in its workflow).
    """

    kind: ClassVar[str] = ""

    @staticmethod
    def create_id(number: str) -> UUID:
        return case_id(number)

    def _start(self, number: str, record_id: str, record_kind: str, document_number: str,  # noqa: PLR0913
               credit_code: str, party_name: str, department: str, statement: str,
               materials: list[dict[str, Any]], limits: dict[str, Any], on: str, submitter: str,
               subject_type: str) -> None:
        """The state every kind of case starts with (called by each use's created-event `__init__`)."""
        self.subject_type = subject_type
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
        self.status = "submitted"
        self.steps = [{"status": "submitted", "on": on, "reason": statement, "by": submitter}]

    @classmethod
    def workflow(cls) -> Workflow:
        return workflows()[cls.kind]

    @property
    def docket_key(self) -> str:
        """Whose docket lists this case while it is open: the firm's, for a case about its record."""
        return self.credit_code

    @property
    def docket_item(self) -> str:
        """What makes a second open case of this kind on that docket the same case: the record."""
        return self.record_id

    def since(self, status: str) -> str | None:
        """The day the case last entered `status`."""
        return next((s["on"] for s in reversed(self.steps) if s["status"] == status), None)

    def due(self) -> str | None:
        """The last day for the department's next decision (None while waiting for the firm, or once decided)."""
        _, limit = self.workflow().stage(self.status)
        return deadline(self.since(self.status), self.limits[limit]) if limit else None

    @property
    def is_open(self) -> bool:
        return self.status in self.workflow().open_statuses

    def may_be_seen_by(self, actor: Actor) -> None:
        """Only the firm concerned and the deciding department see a case in full."""
        if actor.credit_code == self.credit_code or (actor.department and actor.department == self.department):
            return
        raise CaseForbiddenError("case", "not_your_case", f"无权查看案件 {self.number}",
                                 f"you may not see case {self.number}")

    def take(self, step: Step, actor: Actor, reason: str, today: dt.date, **extra: Any) -> None:
        """Take a configured step: the right actor, from an allowed status; the step's event records it."""
        if step.by == FIRM:
            if actor.credit_code is None or actor.credit_code != self.credit_code:
                raise CaseForbiddenError("case", "not_your_case", f"案件 {self.number} 不是本企业的申请，无权查看或办理",
                                         f"case {self.number} belongs to another firm")
        elif step.by == RULE and not actor.identity.startswith(RULE_PREFIX):
            raise CaseForbiddenError("step", "rule_only", f"「{step.zh}」只由到期自动决定的规则办理",
                                     f"the step {step.name} is taken by a deadline rule only")
        elif actor.department is None or actor.department != self.department:
            raise CaseForbiddenError("case", "other_department",
                                     f"案件 {self.number} 由作出该信息的部门（{self.department}）办理，您所在部门无权处理",
                                     f"case {self.number} is decided by department {self.department}, not yours")
        if self.status not in step.allowed:
            label = self.workflow().status_labels[self.status]
            raise InvalidTransitionError(
                "status", "invalid_transition", f"案件当前状态为「{label}」，不能{step.zh}",
                f"the case is {self.status}; it cannot be {step.en} (allowed from: {', '.join(step.allowed)})")
        self.trigger_event(getattr(type(self), step.event), reason=reason, on=today.isoformat(),
                           submitter=actor.identity, **extra)


def case_kinds() -> dict[str, type[Case]]:
    """Every use of the case model, by kind (the uses register by subclassing)."""
    return {c.kind: c for c in Case.__subclasses__()}


def case_not_found(number: str) -> CaseNotFoundError:
    return CaseNotFoundError("case", "not_found", f"找不到案件 {number}，请核对案件编号",
                             f"no case {number}; check the case number")


# -- the docket -------------------------------------------------------------------------------------
class Docket(Aggregate):
    """A firm's open cases (one per record and case kind) and its repair revocations; for complaints, a
    subject's open cases (one per category, filer and facts). `credit_code` is the docket's key."""

    TOPIC = "gongshi:Docket"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:Docket.Created"

    class Started(Aggregate.Created):
        TOPIC = "gongshi:Docket.Started"
        credit_code: str

    @staticmethod
    def create_id(credit_code: str) -> UUID:
        return docket_id(credit_code)

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

    def opened(self, case: Case) -> None:
        self.trigger_event(self.CaseOpened, case_id=str(case.id), number=case.number, case_kind=case.kind,
                           record_id=case.docket_item)

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

