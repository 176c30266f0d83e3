"""The credit ledger: the one event-sourced application behind every view.

`Ledger.submit` is the only way facts enter the log. A batch is one transaction: every
accepted item of the batch is stored together, or (on a storage error) none is.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoder

import schemas
from domain.catalog import Catalog
from domain.errors import ConflictingResubmissionError, RecordNotFoundError
from domain.publicity import penalty_window
from domain.records import REMOVAL_OF, Entity, Record, digest, entity_id, record_id
from domain.transcoding import LedgerTranscoder
from domain.validation import FieldError, ValidationFailed, Validator

# Every module defining events with explicit topics must be imported before the log is
# decoded; importing them here means any Ledger can read any event it ever stored.
import domain.audit  # noqa: E402,F401,I001
import domain.cases  # noqa: E402,F401
import domain.checks  # noqa: E402,F401
import domain.inspections  # noqa: E402,F401
import domain.objections  # noqa: E402,F401
import domain.repair  # noqa: E402,F401

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


def make_checker(today: dt.date | None = None) -> Checker:
    """A checker over the schemas, catalog and rules in `schemas/`."""
    catalog = Catalog(schemas.catalog())
    return Checker(Validator({k: schemas.kind_schema(k) for k in schemas.KINDS}, catalog, today))


@dataclass
class BatchResult:
    items: list[ItemResult]
    position: int | None  # the log position of the batch's last event, None if nothing new

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)


class Ledger(Application):
    """All credit records and entities of one platform instance, in one log."""

    name = "gongshi_ledger"  # pinned: on PostgreSQL the tables are named after it

    def __init__(self, env: dict[str, str] | None = None, *, today: dt.date | None = None):
        super().__init__(env)
        self.catalog = Catalog(schemas.catalog())
        self.rules = schemas.publicity_rules()
        self.checker = make_checker(today)
        self.validator = self.checker.validator

    def construct_transcoder(self) -> Transcoder:
        """The library's JSON format, read with orjson (domain/transcoding.py)."""
        transcoder = self.factory.transcoder()
        if type(transcoder) is JSONTranscoder:
            transcoder = LedgerTranscoder()
        if isinstance(transcoder, JSONTranscoder):
            self.register_transcodings(transcoder)
        return transcoder

    # -- commands -----------------------------------------------------------------------------
    def submit(
        self,
        items: Sequence[Any],
        *,
        department: str | None,
        submitter: str,
        default_kind: str | None = None,
        attempts: int = 3,
    ) -> BatchResult:
        """Validate and store a batch; `department` None means each item's own source unit.

        Every item is checked against the one-source rule for the submitting department.

        A concurrent writer creating the same record makes the save fail as a whole; the
        command is then re-run from the start (the failed save consumed its events).
        """
        return self.store(self.checker.check_all(items, department, default_kind), submitter=submitter,
                          attempts=attempts)

    def store(self, checked: Sequence[CheckedItem | ItemResult], *, submitter: str, attempts: int = 3) -> BatchResult:
        """Store items already checked by a `Checker` (possibly in another process): one transaction."""
        for attempt in range(attempts):
            targets = {c.target for c in checked if isinstance(c, CheckedItem)}
            touched: dict[UUID, Any] = {agg.id: agg for agg in self._load_many(targets)}
            results = [c if isinstance(c, ItemResult) else self._apply(c, submitter, touched) for c in checked]
            pending = [agg for agg in touched.values() if agg.pending_events]
            if not pending:
                return BatchResult(results, None)
            try:
                recordings = self.save(*pending)
            except IntegrityError:
                if attempt == attempts - 1:
                    raise
                continue
            positions = {(r.domain_event.originator_id, r.domain_event.originator_version): r.notification.id
                         for r in recordings}
            for result in results:
                if result._event is not None:
                    result.position = positions[result._event]
            return BatchResult(results, recordings[-1].notification.id)
        raise AssertionError("unreachable")

    def existing_ids(self, ids: Iterable[UUID]) -> set[UUID]:
        """Which of these aggregates exist. The composition root may install a bulk query."""
        return {i for i in ids if self.recorder.select_events(i, limit=1)}

    def _load_many(self, ids: set[UUID]) -> list[Any]:
        return [self.repository.get(i) for i in self.existing_ids(ids)]

    def _apply(self, c: CheckedItem, submitter: str, touched: dict[UUID, Any]) -> ItemResult:
        try:
            if c.action == "withdraw":
                return self._withdraw(c, submitter, touched)
            if c.kind == "entity":
                return self._register(c, submitter, touched)
            if c.kind in REMOVAL_OF:
                return self._remove(c, submitter, touched)
            return self._record_decision(c, submitter, touched)
        except ValidationFailed as failed:
            return ItemResult(c.index, REJECTED, c.kind, errors=failed.errors)

    @staticmethod
    def _outcome(index, kind, aggregate, changed: bool) -> ItemResult:
        if not changed:
            return ItemResult(index, DUPLICATE, kind, str(aggregate.id))
        last = aggregate.pending_events[-1]
        return ItemResult(index, ACCEPTED, kind, str(aggregate.id), _event=(last.originator_id, last.originator_version))

    def window(self, kind: str, fields: dict[str, Any], department: str) -> dict[str, Any] | None:
        return self.checker.window(kind, fields, department)

    def _record_decision(self, c: CheckedItem, submitter: str, touched: dict[UUID, Any]) -> ItemResult:
        record: Record | None = touched.get(c.target)
        fields_digest, window = c.digest, c.window
        if c.action == "correct":
            if record is None:
                raise RecordNotFoundError(
                    "document_number", "not_found",
                    "要更正的决定不存在，请先报送原始决定", "the decision to correct does not exist; submit it first")
            changed = record.correct(c.fields, c.reason, c.department, submitter, window, fields_digest)
            return self._outcome(c.index, c.kind, record, changed)
        if record is not None:
            if record.is_known(fields_digest):
                return ItemResult(c.index, DUPLICATE, c.kind, str(c.target))
            raise ConflictingResubmissionError(
                "document_number", "conflict",
                "同一决定机关、同一文号的决定已存在且内容不同；如需修改，请以更正（action=correct）方式报送并说明理由",
                "a decision with this authority and document number exists with different content; "
                "submit a correction (action=correct) with its reason instead",
            )
        record = Record._create(Record.Recorded, id=c.target, kind=c.kind, fields=c.fields, department=c.department,
                                submitter=submitter, window=window, digest=fields_digest)
        touched[c.target] = record
        return self._outcome(c.index, c.kind, record, True)

    def _withdraw(self, c: CheckedItem, submitter: str, touched: dict[UUID, Any]) -> ItemResult:
        record: Record | None = touched.get(c.target)
        if record is None:
            raise RecordNotFoundError("document_number", "not_found", "要撤回的决定不存在", "the decision to withdraw does not exist")
        errors = self.validator.source_errors(c.kind, record.fields, c.department)
        if errors:
            raise ValidationFailed(errors)
        return self._outcome(c.index, c.kind, record, record.withdraw(c.reason, c.department, submitter))

    def _remove(self, c: CheckedItem, submitter: str, touched: dict[UUID, Any]) -> ItemResult:
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
        return self._outcome(c.index, c.kind, listing, changed)

    def _register(self, c: CheckedItem, submitter: str, touched: dict[UUID, Any]) -> ItemResult:
        entity: Entity | None = touched.get(c.target)
        fields_digest = c.digest
        if entity is None:
            entity = Entity._create(Entity.Registered, id=c.target, fields=c.fields, department=c.department,
                                    submitter=submitter, digest=fields_digest)
            touched[c.target] = entity
            return self._outcome(c.index, "entity", entity, True)
        return self._outcome(c.index, "entity", entity, entity.change(c.fields, c.department, submitter, fields_digest))

    # -- queries ---------------------------------------------------------------------------------
    def position(self) -> int:
        """The last position in the log (0 when empty)."""
        return self.recorder.max_notification_id() or 0

    def history(self, aggregate_id: UUID) -> list[Any]:
        """Every event of one record or entity, oldest first (for auditors and version history)."""
        return list(self.events.get(aggregate_id))

