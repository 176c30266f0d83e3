"""The ledger's aggregates: credit records (decisions, listings) and market entities.

Every fact is an immutable event. A record is recorded once, then may be corrected (a
new version with a reason), withdrawn (a revoked decision, with the reason) or, for a
listing, removed from its list. Events carry explicit topics so that moving this module
never breaks the replay of a legal record.
"""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, ConflictingResubmissionError, InputError, RecordWithdrawnError

#: Kinds that put an entity on a list (or, for individual businesses, mark it) until a removal decision or
#: lapse of time ends it.
LISTING_KINDS = ("anomaly_listing", "dishonesty_listing", "abnormal_mark")
REMOVAL_OF = {"anomaly_removal": "anomaly_listing", "dishonesty_removal": "dishonesty_listing",
              "abnormal_mark_removal": "abnormal_mark"}
#: The removal kind that ends each listing kind.
REMOVAL_KIND = {listing: removal for removal, listing in REMOVAL_OF.items()}
#: Kinds that stand on their own (a removal only ends a listing), in the order the portal shows them.
DECISION_KINDS = ("license", "penalty", "commitment", *LISTING_KINDS, "red_list")
ACTIVE, WITHDRAWN, REPAIRED = "active", "withdrawn", "repaired"
REPAIRABLE_KINDS = ("penalty", *LISTING_KINDS)


def record_id(kind: str, authority_code: str, document_number: str) -> UUID:
    """Natural-key id of a decision: (kind, deciding authority, document number)."""
    return uuid5(NAMESPACE_URL, f"/records/{kind}/{authority_code}/{document_number}")


def entity_id(key: str) -> UUID:
    """Natural-key id of a market entity: its credit code (or registration number)."""
    return uuid5(NAMESPACE_URL, f"/entities/{key}")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not part of a record")


def _has_float(value: Any) -> bool:
    kind = type(value)
    if kind is float:
        return True
    if kind is dict:
        return any(_has_float(v) for v in value.values())
    if kind is list or kind is tuple:
        return any(_has_float(v) for v in value)
    return False


def digest(fields: dict[str, Any]) -> str:
    """A stable hash of a record's content, used to recognise a resubmission.

    The bytes hashed are, and must stay, `json.dumps(fields, sort_keys=True, ensure_ascii=False,
    separators=(",", ":"))` with decimals as strings: digests are stored in the log. orjson writes
    the same bytes four times faster for everything a validated record holds; it writes small
    floats differently (1e-05 against 0.00001), so anything holding a float goes through json.
    """
    if not _has_float(fields):
        try:
            return hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS, default=_plain)).hexdigest()
        except TypeError:  # an integer beyond 64 bits, say: json writes it, orjson does not
            pass
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=_plain, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class Record(Aggregate):
    """A decision or listing published by one department (双公示, lists, commitments)."""

    TOPIC = "gongshi:Record"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:Record.Created"

    class Recorded(Aggregate.Created):
        TOPIC = "gongshi:Record.Recorded"
        kind: str
        fields: dict[str, Any]
        department: str
        submitter: str
        window: dict[str, Any] | None
        digest: str

    @staticmethod
    def create_id(kind: str, fields: dict[str, Any]) -> UUID:
        return record_id(kind, fields["authority_code"], fields["document_number"])

    @event(Recorded)
    def __init__(self, kind, fields, department, submitter, window, digest):  # noqa: PLR0913
        self.kind = kind
        self.fields = fields
        self.department = department
        self.window = window
        self.status = ACTIVE
        self.removal: dict[str, Any] | None = None
        self.digests = [digest]
        self.repair_case: str | None = None
        self.open_objections: list[str] = []

    class Corrected(Aggregate.Event):
        TOPIC = "gongshi:Record.Corrected"
        fields: dict[str, Any]
        reason: str
        department: str
        submitter: str
        window: dict[str, Any] | None
        digest: str

        def apply(self, record: Record) -> None:
            record.fields = self.fields
            record.window = self.window
            record.digests.append(self.digest)

    class Withdrawn(Aggregate.Event):
        TOPIC = "gongshi:Record.Withdrawn"
        reason: str
        department: str
        submitter: str

        def apply(self, record: Record) -> None:
            record.status = WITHDRAWN

    class Removed(Aggregate.Event):
        """A listing's removal from its list (经营异常名录 / 严重失信名单 移出)."""

        TOPIC = "gongshi:Record.Removed"
        removal: dict[str, Any]
        department: str
        submitter: str
        digest: str

        def apply(self, record: Record) -> None:
            record.removal = self.removal
            record.digests.append(self.digest)

    class Repaired(Aggregate.Event):
        """Credit repair approved (信用修复): publicity ends, the record stays for auditors."""

        TOPIC = "gongshi:Record.Repaired"
        case_id: str
        department: str
        submitter: str

        def apply(self, record: Record) -> None:
            record.status = REPAIRED
            record.repair_case = self.case_id

    class RepairRevoked(Aggregate.Event):
        """A repair resting on false material is revoked: the record is public again."""

        TOPIC = "gongshi:Record.RepairRevoked"
        case_id: str
        reason: str
        department: str
        submitter: str

        def apply(self, record: Record) -> None:
            record.status = ACTIVE
            record.repair_case = None

    class ObjectionOpened(Aggregate.Event):
        """An objection (异议) is under review: the public record shows 异议处理中."""

        TOPIC = "gongshi:Record.ObjectionOpened"
        case_id: str
        submitter: str

        def apply(self, record: Record) -> None:
            record.open_objections = [*record.open_objections, self.case_id]

    class ObjectionClosed(Aggregate.Event):
        TOPIC = "gongshi:Record.ObjectionClosed"
        case_id: str
        outcome: str
        submitter: str

        def apply(self, record: Record) -> None:
            record.open_objections = [c for c in record.open_objections if c != self.case_id]

    def repair(self, case_id: str, department: str, submitter: str) -> None:
        """Mark the record repaired; refuses records that are not active or not repairable."""
        if self.kind not in REPAIRABLE_KINDS:
            raise ConflictError("kind", "not_repairable", "该类信息不适用信用修复",
                                  f"a {self.kind} record cannot be repaired")
        if self.status != ACTIVE:
            raise ConflictError("status", "not_active", f"该信息当前状态为 {self.status}，不能修复",
                                  f"the record is {self.status}, not active")
        self.trigger_event(self.Repaired, case_id=case_id, department=department, submitter=submitter)

    def revoke_repair(self, case_id: str, reason: str, department: str, submitter: str) -> None:
        if self.status != REPAIRED or self.repair_case != case_id:
            raise ConflictError("case_id", "not_repaired", "该信息未经此案件修复，无法撤销修复",
                                  "this record was not repaired by this case")
        self.trigger_event(self.RepairRevoked, case_id=case_id, reason=reason, department=department,
                           submitter=submitter)

    def open_objection(self, case_id: str, submitter: str) -> None:
        if case_id not in self.open_objections:
            self.trigger_event(self.ObjectionOpened, case_id=case_id, submitter=submitter)

    def close_objection(self, case_id: str, outcome: str, submitter: str) -> None:
        if case_id in self.open_objections:
            self.trigger_event(self.ObjectionClosed, case_id=case_id, outcome=outcome, submitter=submitter)

    def is_known(self, fields_digest: str) -> bool:
        return fields_digest in self.digests

    def correct(self, fields, reason, department, submitter, window, fields_digest) -> bool:
        """Record a new version; False when this exact content is already a version."""
        self._refuse_if_withdrawn()
        if self.is_known(fields_digest):
            return False
        self.trigger_event(self.Corrected, fields=fields, reason=reason, department=department,
                           submitter=submitter, window=window, digest=fields_digest)
        return True

    def withdraw(self, reason: str, department: str, submitter: str) -> bool:
        """Withdraw a revoked decision; False when it already was."""
        if self.status == WITHDRAWN:
            return False
        self.trigger_event(self.Withdrawn, reason=reason, department=department, submitter=submitter)
        return True

    def remove_from_list(self, removal: dict[str, Any], department: str, submitter: str, fields_digest: str) -> bool:
        """Remove a listing from its list; False when this removal is already recorded."""
        if self.is_known(fields_digest):
            return False
        self._refuse_if_withdrawn()
        if self.removal is not None:
            raise ConflictingResubmissionError(
                "listing_document_number", "already_removed",
                f"该列入决定已于 {self.removal['decision_date']} 移出（{self.removal['document_number']}）",
                f"this listing was already removed on {self.removal['decision_date']} "
                f"by {self.removal['document_number']}",
            )
        if removal["decision_date"] < self.fields["decision_date"]:
            raise InputError(
                "decision_date", "before_listing",
                f"移出日期不能早于列入日期（{self.fields['decision_date']}）",
                f"the removal date cannot be before the listing date ({self.fields['decision_date']})",
            )
        self.trigger_event(self.Removed, removal=removal, department=department, submitter=submitter,
                           digest=fields_digest)
        return True

    def _refuse_if_withdrawn(self) -> None:
        if self.status == WITHDRAWN:
            raise RecordWithdrawnError(
                "document_number", "withdrawn",
                "该决定已撤回，不能再更正或移出", "this decision was withdrawn and cannot be corrected or removed",
            )


class Entity(Aggregate):
    """A market entity's registration (设立登记) and its changes (变更登记)."""

    TOPIC = "gongshi:Entity"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:Entity.Created"

    class Registered(Aggregate.Created):
        TOPIC = "gongshi:Entity.Registered"
        fields: dict[str, Any]
        department: str
        submitter: str
        digest: str

    @staticmethod
    def create_id(fields: dict[str, Any]) -> UUID:
        return entity_id(fields["credit_code"])

    @event(Registered)
    def __init__(self, fields, department, submitter, digest):
        self.fields = fields
        self.digests = [digest]

    class Changed(Aggregate.Event):
        TOPIC = "gongshi:Entity.Changed"
        fields: dict[str, Any]
        changed: list[str]
        department: str
        submitter: str
        digest: str

        def apply(self, entity: Entity) -> None:
            entity.fields = self.fields
            entity.digests.append(self.digest)

    def change(self, fields, department, submitter, fields_digest) -> bool:
        """Record a registration change; False when this content is already a version."""
        if fields_digest in self.digests:
            return False
        changed = sorted(k for k in set(fields) | set(self.fields) if fields.get(k) != self.fields.get(k))
        self.trigger_event(self.Changed, fields=fields, changed=changed, department=department,
                           submitter=submitter, digest=fields_digest)
        return True
