"""Product traceability (产品信息溯源): one aggregate per batch, its movements, tests and recalls.

来源可查、去向可追、责任可究. A batch (批次) is registered by its producer or importer (or by a
department on its behalf) and gets a traceability code (domain/trace_codes.py). Every later
fact is an event on the batch by the entity that performs it: shipped to a buyer's credit
code, received by the buyer, split into sub-batches (each a batch of its own, pointing to its
parent), processed into a new product (the inputs consumed, the output a new batch), sold at
retail (to nobody named: no natural person's data enters the chain), returned, destroyed.

Quantities are conserved: each batch knows how much every holder holds and how much is on
its way to whom; a holder cannot ship, sell, split, process, return or destroy more than it
holds, and only the addressee receives a shipment. Departments record test results (合格 /
不合格 with the failed items) and order a recall or a sales halt; goods under an order may
still be returned or destroyed, not sold or shipped on.

Quantities are decimals in memory and decimal strings in the events (never floats).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

import schemas
from domain.errors import ConflictError, FieldError, ForbiddenError, InputError, ValidationFailed

SHIPPED, RECEIVED, SPLIT, PROCESSED, SOLD, RETURNED, DESTROYED = (
    "shipped", "received", "split", "processed", "sold", "returned", "destroyed")
#: The movements an entity records with a quantity it holds (received takes a shipment instead).
FROM_HOLDINGS = (SHIPPED, SPLIT, PROCESSED, SOLD, RETURNED, DESTROYED)
#: What goods under a recall or a sales halt may still do.
UNDER_ORDER_ALLOWED = (RECEIVED, RETURNED, DESTROYED)
PASS, FAIL = "pass", "fail"
RECALL, HALT = "recall", "halt"


@cache
def rules() -> dict[str, Any]:
    return schemas.load("trace.json")


def batch_id(code: str) -> UUID:
    """Natural-key id of a batch: its traceability code."""
    return uuid5(NAMESPACE_URL, f"/trace/{code}")


def category(name: str) -> dict[str, Any]:
    return rules()["categories"][name]


def quantity(value: Any, field: str) -> Decimal:
    """A positive quantity (number or decimal string), or ValidationFailed naming the field."""
    try:
        amount = Decimal(str(value)) if isinstance(value, (int, float, str, Decimal)) and not isinstance(value, bool) \
            else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationFailed([FieldError(field, "type", "数量应为数字", f"{field} must be a number")])
    if amount <= 0:
        raise ValidationFailed([FieldError(field, "not_positive", "数量应大于0", f"{field} must be above zero")])
    if amount.as_tuple().exponent < -3:  # type: ignore[operator]
        raise ValidationFailed([FieldError(field, "precision", "数量最多保留3位小数", f"{field}: at most 3 decimals")])
    return amount


def text(amount: Decimal) -> str:
    """A quantity as stored: plain decimal text, no exponent."""
    return format(amount.normalize(), "f")


@dataclass(frozen=True)
class TraceActor:
    """Who records a fact: a firm for its own credit code, or a department (on an entity's behalf)."""

    submitter: str
    credit_code: str | None = None  # a firm session: the only entity it may act as
    department: str | None = None  # a department token's department code
    department_key: str | None = None  # its short key (SCJG, NYNC…), what schemas/trace.json names

    def acting_as(self, by: str | None, category_name: str, field: str = "by") -> str:
        """The entity a movement is recorded for: the firm itself, or the one a regulating department names."""
        if self.credit_code is not None:
            if by not in (None, self.credit_code):
                raise ForbiddenError(field, "other_entity", "只能以本企业的名义记录（统一社会信用代码与登录账户不符）",
                                     f"{field}: a firm records only its own movements (the code differs from the account's)")
            return self.credit_code
        self.require_regulator(category_name, field, tester_ok=True)
        if not by:
            raise ValidationFailed([FieldError(field, "required", "部门代为记录时须填写实施该环节的主体统一社会信用代码",
                                               f"{field}: a department recording for an entity names it")])
        return by

    def require_regulator(self, category_name: str, field: str, *, tester_ok: bool = False) -> None:
        allowed = {category(category_name)["regulator"], *(rules()["testers"] if tester_ok else ())}
        if self.department_key not in allowed:
            raise ForbiddenError(field, "not_regulator",
                                 f"只有{category(category_name)['zh']}的监管部门可以执行此操作",
                                 f"only the regulator of {category(category_name)['en']} may do this")


def check_day(raw: Any, field: str, produced_on: str | None, today: dt.date) -> str:
    """An ISO date, not after today and not before production, or ValidationFailed naming the field."""
    try:
        day = dt.date.fromisoformat(str(raw)) if raw else today
    except ValueError:
        raise ValidationFailed([FieldError(field, "type", f"日期应为 YYYY-MM-DD：{str(raw)[:20]}",
                                           f"{field} must be a date (YYYY-MM-DD)")]) from None
    if day > today:
        raise ValidationFailed([FieldError(field, "future", f"日期不能晚于今天（{today}）",
                                           f"{field} cannot be after today ({today})")])
    if produced_on and day.isoformat() < produced_on:
        raise ValidationFailed([FieldError(field, "before_production", f"日期不能早于生产（屠宰、采收）日期 {produced_on}",
                                           f"{field} cannot be before the production date {produced_on}")])
    return day.isoformat()


class TraceBatch(Aggregate):
    """One batch: what it is, who holds how much of it, its tests and any recall or halt."""

    TOPIC = "gongshi:TraceBatch"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:TraceBatch.Created"

    class Registered(Aggregate.Created):
        TOPIC = "gongshi:TraceBatch.Registered"
        code: str
        key: str  # the natural key the code was issued for
        registrant: str
        product: dict[str, Any]  # name, category, origin, produced_on, shelf_life_days, unit
        quantity: str
        on: str
        how: str  # registered | split | processed
        parents: list[dict[str, Any]]  # [{code, quantity}] consumed from parents (split, processed)
        submitter: str
        department: str | None

    @staticmethod
    def create_id(code: str) -> UUID:
        return batch_id(code)

    @event(Registered)
    def __init__(self, code, key, registrant, product, quantity, on, how, parents, submitter, department):  # noqa: PLR0913
        self.code = code
        self.key = key
        self.registrant = registrant
        self.product = product
        self.quantity = Decimal(quantity)
        self.on = on
        self.parents = [p["code"] for p in parents]
        self.holdings: dict[str, Decimal] = {registrant: Decimal(quantity)}
        self.pending: dict[int, tuple[str, str, Decimal]] = {}  # shipment number -> (from, to, quantity)
        self.shipments = 0
        self.children: list[str] = []
        self.orders: list[dict[str, Any]] = []
        self.tests = 0
        #: the actor's own document number of a step -> (the step's digest, the batches it made)
        self.references: dict[str, tuple[str, list[str]]] = {}

    class Moved(Aggregate.Event):
        TOPIC = "gongshi:TraceBatch.Moved"
        step: str
        by: str
        to: str | None
        quantity: str
        on: str
        place: str | None
        shipment: int | None
        batches: list[str]  # the sub-batches (split) or the output batch (processed)
        note: str | None
        submitter: str
        department: str | None
        reference: str | None = None  # the actor's document number (and the step's digest), when given
        digest: str | None = None

        def apply(self, batch: TraceBatch) -> None:
            if self.reference:
                batch.references[self.reference] = (self.digest or "", list(self.batches))
            amount = Decimal(self.quantity)
            if self.step == RECEIVED:
                _, to, amount = batch.pending.pop(self.shipment)  # type: ignore[arg-type]
                batch.holdings[to] = batch.holdings.get(to, Decimal(0)) + amount
                return
            batch.holdings[self.by] -= amount
            if self.step in (SHIPPED, RETURNED):
                batch.shipments = self.shipment or batch.shipments + 1
                batch.pending[batch.shipments] = (self.by, self.to or "", amount)
            elif self.step == SPLIT:
                batch.children += self.batches

    class Tested(Aggregate.Event):
        TOPIC = "gongshi:TraceBatch.Tested"
        result: str
        items: list[str]  # the failed items (不合格项目)
        on: str
        report_number: str
        laboratory: str | None
        note: str | None
        department: str
        submitter: str

        def apply(self, batch: TraceBatch) -> None:
            batch.tests += 1

    class Ordered(Aggregate.Event):
        TOPIC = "gongshi:TraceBatch.Ordered"
        order: str  # recall | halt
        document_number: str
        reason: str
        on: str
        department: str
        submitter: str

        def apply(self, batch: TraceBatch) -> None:
            batch.orders.append({"order": self.order, "document_number": self.document_number, "on": self.on})

    # -- rules -----------------------------------------------------------------------------------------------
    @property
    def category(self) -> str:
        return self.product["category"]

    def held_by(self, holder: str) -> Decimal:
        return self.holdings.get(holder, Decimal(0))

    def refuse_over(self, holder: str, amount: Decimal, field: str = "quantity") -> None:
        held = self.held_by(holder)
        if amount > held:
            unit = rules()["units"].get(self.product.get("unit", ""), self.product.get("unit", ""))
            raise ConflictError(field, "more_than_held",
                                f"{holder} 持有该批次 {text(held)}{unit}，不能处置 {text(amount)}{unit}",
                                f"{holder} holds {text(held)} of batch {self.code}, not {text(amount)}")

    def already(self, reference: str | None, content: str) -> list[str] | None:
        """The batches made by the step under this document number when it is on the batch already (same
        content: a re-send, stored once), else None; another content under the number is a conflict."""
        if not reference or reference not in self.references:
            return None
        seen, made = self.references[reference]
        if seen != content:
            raise ConflictError("reference", "reference_reused", f"单据号 {reference} 已用于该批次的另一个环节",
                                f"the document number {reference} is on another step of this batch")
        return made

    def move(self, step: str, by: str, amount: Decimal, on: str, actor: TraceActor, *, to: str | None = None,
             place: str | None = None, batches: list[str] | None = None, note: str | None = None,
             under_order: bool = False, reference: str | None = None, digest: str | None = None) -> None:
        """A movement out of `by`'s holdings (all but received: see `receive`)."""
        if step not in FROM_HOLDINGS:
            raise InputError("step", "enum", f"未知的流转环节：{step}", f"unknown step {step!r}")
        if under_order and step not in UNDER_ORDER_ALLOWED:
            raise ConflictError("step", "under_order", "该批次（或其所属批次）已被责令召回或停止销售，只能退货或销毁",
                                "the batch (or one it came from) is under a recall or sales halt: return or destroy it")
        if step in (SHIPPED, RETURNED) and (not to or to == by):
            raise ValidationFailed([FieldError("to", "required", "发货或退货须填写收货方的统一社会信用代码（不能是自己）",
                                               "to: the receiving entity's credit code (not oneself) is required")])
        self.refuse_over(by, amount)
        shipment = self.shipments + 1 if step in (SHIPPED, RETURNED) else None
        self.trigger_event(self.Moved, step=step, by=by, to=to, quantity=text(amount), on=on, place=place,
                           shipment=shipment, batches=batches or [], note=note, submitter=actor.submitter,
                           department=actor.department, reference=reference, digest=digest)

    def receive(self, by: str, shipment: Any, on: str, actor: TraceActor, place: str | None = None,
                reference: str | None = None, digest: str | None = None) -> None:
        """The addressee confirms a shipment (or a return) to it; the quantity becomes its holding."""
        waiting = {n: s for n, s in self.pending.items() if s[1] == by}
        if not waiting:
            raise ConflictError("shipment", "nothing_waiting", f"该批次没有发给 {by} 且尚未收货的货物",
                                f"nothing of this batch waits to be received by {by}")
        if not isinstance(shipment, int) or isinstance(shipment, bool):
            if len(waiting) != 1:
                raise ValidationFailed([FieldError(
                    "shipment", "required", f"请填写要确认收货的发货序号（待 {by} 收货的有 {len(waiting)} 笔）",
                    f"shipment: name the shipment to receive ({len(waiting)} are waiting for {by})")])
            shipment = next(iter(waiting))
        if shipment not in waiting:
            raise ConflictError("shipment", "not_addressed", f"没有发给 {by} 且尚未收货的第 {shipment} 笔发货",
                                f"no shipment {shipment} waits for {by}")
        amount = self.pending[shipment][2]
        self.trigger_event(self.Moved, step=RECEIVED, by=by, to=None, quantity=text(amount), on=on, place=place,
                           shipment=shipment, batches=[], note=None, submitter=actor.submitter,
                           department=actor.department, reference=reference, digest=digest)

    def test(self, result: str, items: list[str], on: str, report_number: str, laboratory: str | None,
             note: str | None, actor: TraceActor) -> None:
        self.trigger_event(self.Tested, result=result, items=items, on=on, report_number=report_number,
                           laboratory=laboratory, note=note, department=actor.department or "",
                           submitter=actor.submitter)

    def order(self, order: str, document_number: str, reason: str, on: str, actor: TraceActor) -> bool:
        """A recall or halt; False when this document is already on the batch (stored once)."""
        if any(o["document_number"] == document_number for o in self.orders):
            return False
        self.trigger_event(self.Ordered, order=order, document_number=document_number, reason=reason, on=on,
                           department=actor.department or "", submitter=actor.submitter)
        return True
