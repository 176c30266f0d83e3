"""A submission, item by item: what was submitted, its check, and what it does to the ledger.

`Checker` validates items without touching the store (so it can run in another process);
`apply_item` decides what one checked item does to the aggregates it acts on (a new
record, a duplicate, a correction, a withdrawal, a removal, a registration or its change).
Storing the outcome is the application's job (application/records.py).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import schemas
from domain.catalog import Catalog
from domain.errors import ConflictingResubmissionError, FieldError, RecordNotFoundError, ValidationFailed
from domain.publicity import penalty_window
from domain.records import REMOVAL_OF, Entity, Record, digest, entity_id, record_id
from domain.validation import Validator

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"


@dataclass
class ItemResult:
    """The outcome of one submitted item."""

    index: int
    status: str
    kind: str | None = None
    record_id: str | None = None
    position: int | None = None
    errors: list[FieldError] = field(default_factory=list)
    _event: tuple[UUID, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "status": self.status, "kind": self.kind}
        if self.record_id:
            out["record_id"] = self.record_id
        if self.position is not None:
            out["position"] = self.position
        if self.errors:
            out["errors"] = [e.as_dict() for e in self.errors]
        return out


@dataclass(frozen=True)
class CheckedItem:
    """An item that passed validation, with the aggregate it acts on."""

    index: int
    kind: str
    action: str
    reason: str
    fields: dict[str, Any]
    department: str
    target: UUID
    digest: str = ""  # of the normalised fields; computed with the check, off the storing path
    window: dict[str, Any] | None = None

    def as_row(self) -> tuple:
        """Plain values (the target as hex) for sending to another process; see `from_row`."""
        return (self.index, self.kind, self.action, self.reason, self.fields, self.department, self.target.hex,
                self.digest, self.window)

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> CheckedItem:
        index, kind, action, reason, fields, department, target, digest, window = row
        return cls(index, kind, action, reason, fields, department, UUID(hex=target), digest, window)


class Checker:
    """Validates submission items without touching the store (so it can run in another process)."""

    def __init__(self, validator: Validator):
        self.validator = validator
        self.catalog = validator.catalog
        self.rules = schemas.publicity_rules()

    def window(self, kind: str, fields: dict[str, Any], department: str) -> dict[str, Any] | None:
        """A penalty's publicity window under the rule set in force on its decision date."""
        if kind != "penalty":
            return None
        dept = self.catalog.department(department)
        return penalty_window(self.rules, fields, dept.key if dept else None).as_dict()

    def check_all(self, items: Sequence[Any], department: str | None, default_kind: str | None) -> list[CheckedItem | ItemResult]:
        return [self.check(i, item, department, default_kind) for i, item in enumerate(items)]

    def check(self, index: int, item: Any, department: str | None, default_kind: str | None) -> CheckedItem | ItemResult:
        """Validate one item without touching the store; name the aggregate it acts on."""
        kind = item.get("kind") if isinstance(item, dict) else None
        try:
            kind, action, reason, raw = self.validator.envelope(item, default_kind)
            dept = self._department(raw, department, action)
            if action == "withdraw":
                key, errors = self.validator.coerce(kind, raw)
                errors += [FieldError(k, "required", f"撤回必须指明{self.validator.title(kind, k)}", f"{k} is required to withdraw")
                           for k in ("authority_code", "document_number") if k not in key]
                if errors:
                    raise ValidationFailed(errors)
                target = record_id(kind, str(key["authority_code"]).upper(), key["document_number"])
                return CheckedItem(index, kind, action, reason, key, dept, target)
            fields = self.validator.validate(kind, raw, dept)
            fields.setdefault("source_unit_code", dept)
            if kind == "entity":
                target = entity_id(fields["credit_code"])
            elif kind in REMOVAL_OF:
                authority = fields.get("listing_authority_code") or fields["authority_code"]
                target = record_id(REMOVAL_OF[kind], authority, fields["listing_document_number"])
            else:
                target = record_id(kind, fields["authority_code"], fields["document_number"])
            return CheckedItem(index, kind, action, reason, fields, dept, target, digest(fields),
                            self.window(kind, fields, dept))
        except ValidationFailed as failed:
            return ItemResult(index, REJECTED, kind if isinstance(kind, str) else None, errors=failed.errors)

    def _department(self, raw: dict[str, Any], department: str | None, action: str) -> str:
        """The submitting department: the caller's, else the record's own source unit."""
        own = raw.get("source_unit_code") or raw.get("CF_SJLYDM") or raw.get("XK_LYDWDM")
        own = str(own).strip().upper() if own else None
        if department and own and own != department:
            raise ValidationFailed([FieldError(
                "source_unit_code", "department_mismatch",
                f"记录的数据来源单位（{own}）与提交部门（{department}）不一致",
                f"the record's source unit {own} is not the submitting department {department}",
            )])
        found = department or own or (str(raw.get("authority_code", "")).strip().upper() if action == "withdraw" else None)
        if not found:
            raise ValidationFailed([FieldError(
                "source_unit_code", "required",
                "缺少数据来源单位统一社会信用代码（source_unit_code / CF_SJLYDM / XK_LYDWDM），或在导入时指定 --department",
                "source_unit_code (CF_SJLYDM / XK_LYDWDM) is missing; give it in the record or pass --department",
            )])
        return found


def make_checker(today: dt.date | Callable[[], dt.date | None] | None = None) -> Checker:
    """A checker over the schemas, catalog and rules in `schemas/`; `today` fixes the day dates are checked against
    (a function: asked at each check, so a tool that moves its day moves the checks with it)."""
    catalog = Catalog(schemas.catalog())
    return Checker(Validator({k: schemas.kind_schema(k) for k in schemas.KINDS}, catalog, today))


def apply_item(c: CheckedItem, submitter: str, touched: dict[UUID, Any], validator: Validator) -> ItemResult:
    """What one checked item does to the aggregates in `touched` (new ones are added to it)."""
    try:
        if c.action == "withdraw":
            return _withdraw(c, submitter, touched, validator)
        if c.kind == "entity":
            return _register(c, submitter, touched)
        if c.kind in REMOVAL_OF:
            return _remove(c, submitter, touched)
        return _record_decision(c, submitter, touched)
    except ValidationFailed as failed:
        return ItemResult(c.index, REJECTED, c.kind, errors=failed.errors)


def _outcome(index: int, kind: str, aggregate: Any, changed: bool) -> ItemResult:
    if not changed:
        return ItemResult(index, DUPLICATE, kind, str(aggregate.id))
    last = aggregate.pending_events[-1]
    return ItemResult(index, ACCEPTED, kind, str(aggregate.id), _event=(last.originator_id, last.originator_version))


def _record_decision(c: CheckedItem, submitter: str, touched: dict[UUID, Any]) -> ItemResult:
    record: Record | None = touched.get(c.target)
    if c.action == "correct":
        if record is None:
            raise RecordNotFoundError(
                "document_number", "not_found",
                "要更正的决定不存在，请先报送原始决定", "the decision to correct does not exist; submit it first")
        changed = record.correct(c.fields, c.reason, c.department, submitter, c.window, c.digest)
        return _outcome(c.index, c.kind, record, changed)
    if record is not None:
        if record.is_known(c.digest):
            return ItemResult(c.index, DUPLICATE, c.kind, str(c.target))
        raise ConflictingResubmissionError(
            "document_number", "conflict",
            "同一决定机关、同一文号的决定已存在且内容不同；如需修改，请以更正（action=correct）方式报送并说明理由",
            "a decision with this authority and document number exists with different content; "
            "submit a correction (action=correct) with its reason instead",
        )
    record = Record(kind=c.kind, fields=c.fields, department=c.department, submitter=submitter, window=c.window,
                    digest=c.digest)
    touched[c.target] = record
    return _outcome(c.index, c.kind, record, True)


def _withdraw(c: CheckedItem, submitter: str, touched: dict[UUID, Any], validator: Validator) -> ItemResult:
    record: Record | None = touched.get(c.target)
    if record is None:
        raise RecordNotFoundError("document_number", "not_found", "要撤回的决定不存在", "the decision to withdraw does not exist")
    errors = validator.source_errors(c.kind, record.fields, c.department)
    if errors:
        raise ValidationFailed(errors)
    return _outcome(c.index, c.kind, record, record.withdraw(c.reason, c.department, submitter))


def _remove(c: CheckedItem, submitter: str, touched: dict[UUID, Any]) -> ItemResult:
    listing: Record | None = touched.get(c.target)
    if listing is None:
        raise RecordNotFoundError(
            "listing_document_number", "not_found",
            "找不到被移出的列入决定（列入决定机关+列入文号）", "no listing with this authority and document number exists")
    if listing.fields.get("credit_code") != c.fields.get("credit_code"):
        raise RecordNotFoundError(
            "credit_code", "mismatch", "移出决定的统一社会信用代码与列入决定不一致",
            "the removal's credit code differs from the listing's")
    changed = listing.remove_from_list(c.fields, c.department, submitter, c.digest)
    return _outcome(c.index, c.kind, listing, changed)


def _register(c: CheckedItem, submitter: str, touched: dict[UUID, Any]) -> ItemResult:
    entity: Entity | None = touched.get(c.target)
    if entity is None:
        entity = Entity(fields=c.fields, department=c.department, submitter=submitter, digest=c.digest)
        touched[c.target] = entity
        return _outcome(c.index, "entity", entity, True)
    return _outcome(c.index, "entity", entity, entity.change(c.fields, c.department, submitter, c.digest))
