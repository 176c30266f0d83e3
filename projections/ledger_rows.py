"""The rows of the ledger read models, built from events: plain Python, no SQL.

`RowBuilder.build` turns one batch of events into `Rows` (tuples in column order, the
previous versions to close, the log lines) in two halves: `prepare` needs only the events
(most of the work: public fields, JSON), `complete` asks a `State` what it must know of
the state before the batch (the current row of a corrected record, whether an entity has
a profile yet). projections/bulk.py prepares batches in two processes at once and
completes each once the batch before it is committed.

Only public fields reach a row: ID numbers and phone numbers never do.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any, Protocol

import orjson

import schemas
from domain.codes import INDIVIDUAL_PLACEHOLDER, entity_category
from domain.privacy import public_fields
from domain.publicity import honour_public_until, list_until
from domain.records import Entity, Record

RECORD_COLUMNS = (
    "record_id", "valid_from", "valid_to", "version", "event", "reason", "kind", "list_type", "entity_key",
    "credit_code", "party_name", "party_type", "authority_code", "authority", "department", "document_number",
    "decision_date", "district", "status", "removed_date", "list_until", "published", "public_from",
    "public_until", "publicity", "objection", "data", "recorded_at",
)
ENTITY_COLUMNS = (
    "entity_key", "valid_from", "valid_to", "version", "credit_code", "name", "category", "entity_type",
    "district", "registered_in_city", "legal_representative", "status", "established", "data", "updated_at",
)
_record_tuple = itemgetter(*RECORD_COLUMNS)
_entity_tuple = itemgetter(*ENTITY_COLUMNS)
_ENTITY_PARTY_FIELDS = ("party_name", "party_type", "credit_code", "registration_number", "legal_representative")


def to_json(value: Any) -> str:
    """Deterministic JSON (keys sorted): a rebuild from the log gives byte-identical rows."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=_json_default).decode()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value))


def entity_key_of(fields: dict[str, Any]) -> str | None:
    """Whose profile a record belongs to: credit code, or registration number for placeholder codes."""
    code = fields.get("credit_code")
    if code and code != INDIVIDUAL_PLACEHOLDER:
        return code
    if fields.get("party_type") == "个体工商户" and fields.get("registration_number"):
        return fields["registration_number"]
    return None  # natural persons have no public profile


def district_of(code: str | None) -> str | None:
    """The administrative division a credit code was registered in (positions 3-8)."""
    return code[2:8] if code and code != INDIVIDUAL_PLACEHOLDER and code[2:8].isdigit() else None


class State(Protocol):
    """The read models as they were before a batch (written and committed)."""

    def existing_entities(self, keys: Sequence[str]) -> set[str]:
        """Which of these entity keys have a current profile row."""

    def current_record(self, record_id: str) -> dict[str, Any]:
        """The current row of a record, as a column -> value dict."""


@dataclass
class Rows:
    """One batch's writes, in the order they must be applied (closes before inserts)."""

    record_closes: list[tuple[int, str]] = field(default_factory=list)  # (position, record_id)
    entity_closes: list[tuple[int, str]] = field(default_factory=list)  # (position, entity_key)
    records: list[tuple] = field(default_factory=list)
    entities: list[tuple] = field(default_factory=list)
    log: list[tuple[int, str, str, str]] = field(default_factory=list)


# What `prepare` leaves for `complete`, one per event that changes a row.
_NEW_RECORD, _RECORD_CHANGE, _ENTITY_EVENT = 1, 2, 3


@dataclass
class Prepared:
    """One batch, worked out as far as it can be without the tables: the log lines, every new
    record's row and every registration's row; what needs the state before the batch is left
    as steps for `RowBuilder.complete`."""

    log: list[tuple[int, str, str, str]] = field(default_factory=list)
    steps: list[tuple] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)  # entity keys whose existence the steps ask about


class RowBuilder:
    """Events -> rows of v_records, v_entities and v_log, in two halves.

    `prepare` needs nothing but the events, so batches can be prepared in any order and in
    parallel (projections/bulk.py does, in two processes); it is where the time goes (the
    public fields, the JSON). `complete` needs the state before the batch (the tables, as
    committed) and is cheap: it decides which rows end which, and builds what depends on an
    earlier row (corrections, withdrawals, removals, repairs, objections).
    """

    def __init__(self) -> None:
        self.private = {k: schemas.private_fields(k) for k in schemas.KINDS}
        self.free_text = {k: schemas.free_text_fields(k) for k in schemas.KINDS}
        self.rules = schemas.publicity_rules()
        self._topics: dict[type, str] = {}

    def build(self, events: Sequence[tuple[int, Any]], state: State) -> Rows:
        return self.complete(self.prepare(events), state)

    def prepare(self, events: Sequence[tuple[int, Any]]) -> Prepared:
        prepared = Prepared()
        log, steps, keys = prepared.log, prepared.steps, prepared.keys
        for position, event in events:
            cls = type(event)
            topic = self._topics.get(cls)
            if topic is None:
                topic = self._topics[cls] = cls.TOPIC.removeprefix("gongshi:")
            stamp = event.timestamp
            if type(stamp) is not str:  # projections/bulk.py reads it as the ISO text it is stored as
                stamp = stamp.isoformat()
            originator = str(event.originator_id)
            log.append((position, stamp, topic, originator))
            if cls is Record.Recorded:
                row = self._new_record(position, event, originator, stamp)
                steps.append((_NEW_RECORD, position, row, event))
                if row["entity_key"] is not None:
                    keys.add(row["entity_key"])
            elif issubclass(cls, Record.Event):
                steps.append((_RECORD_CHANGE, position, event, originator, stamp))
            elif cls is Entity.Registered or cls is Entity.Changed:
                row = self._entity_row(position, event, stamp)
                steps.append((_ENTITY_EVENT, position, row))
                keys.add(row["entity_key"])
        return prepared

    def complete(self, prepared: Prepared, state: State) -> Rows:
        batch = _Batch(state, prepared)
        for step in prepared.steps:
            what, position = step[0], step[1]
            if what == _NEW_RECORD:
                row, event = step[2], step[3]
                batch.insert_record(row)
                key = row["entity_key"]
                if key is not None and key not in batch.entities:
                    self._party_entity(batch, position, key, event.kind, event.fields, row["recorded_at"])
            elif what == _RECORD_CHANGE:
                self._record_changed(batch, position, *step[2:])
            else:
                row = step[2]
                if row["entity_key"] in batch.entities:
                    batch.close_entity(row["entity_key"], position)
                batch.insert_entity(row)
        return batch.finish()

    def _public(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        return public_fields(fields, self.private[kind], self.free_text[kind])

    # -- records ----------------------------------------------------------------------------------
    def _new_record(self, position: int, event: Any, rid: str, stamp: str) -> dict[str, Any]:
        row = self._record_row(event.kind, event.fields, event.window, event.department)
        row.update(record_id=rid, valid_from=position, valid_to=None, version=1, event="recorded", reason=None,
                   status="active", removed_date=None, objection=0, recorded_at=stamp)
        return row

    def _record_changed(self, batch: _Batch, position: int, event: Any, rid: str, stamp: str) -> None:
        previous = batch.current_record(rid)
        row = dict(previous)
        cls = type(event)
        if cls is Record.Corrected:
            row.update(self._record_row(previous["kind"], event.fields, event.window, event.department))
            row.update(event="corrected", reason=event.reason)
        elif cls is Record.Withdrawn:
            row.update(event="withdrawn", reason=event.reason, status="withdrawn")
        elif cls is Record.Repaired:
            row.update(event="repaired", reason=event.case_id, status="repaired")
        elif cls is Record.RepairRevoked:
            row.update(event="repair_revoked", reason=event.reason, status="active")
        elif cls is Record.ObjectionOpened:
            row.update(event="objection_opened", reason=event.case_id, objection=row["objection"] + 1)
        elif cls is Record.ObjectionClosed:
            row.update(event="objection_closed", reason=event.outcome, objection=max(0, row["objection"] - 1))
        elif cls is Record.Removed:
            data = orjson.loads(previous["data"])
            data["removal"] = self._public(previous["kind"], event.removal)
            row.update(event="removed", reason=event.removal.get("cause"), data=to_json(data),
                       removed_date=event.removal["decision_date"], list_until=event.removal["decision_date"])
        else:
            raise TypeError(f"the read models do not know the event {cls.TOPIC}")
        row.update(version=event.originator_version, recorded_at=stamp, valid_from=position, valid_to=None)
        batch.close_record(rid, position)
        batch.insert_record(row)

    def _record_row(self, kind: str, fields: dict[str, Any], window: dict[str, Any] | None,
                    department: str) -> dict[str, Any]:
        get = fields.get
        decided = get("decision_date") or get("commitment_date")
        if window is not None:
            public_from, public_until, published = window["start"], window["max_end"], int(window["published"])
            publicity, off_list = to_json(window), None
        else:
            public_from, public_until, published = decided, honour_public_until(kind, fields), 1
            publicity, off_list = None, list_until(self.rules, kind, fields)
        code = get("credit_code")
        return {
            "kind": kind, "list_type": get("list_type"), "entity_key": entity_key_of(fields),
            "credit_code": code, "party_name": get("party_name"), "party_type": get("party_type"),
            "authority_code": get("authority_code"), "authority": get("authority"),
            "department": department, "document_number": get("document_number"),
            "decision_date": decided, "district": district_of(code), "list_until": off_list,
            "published": published, "public_from": public_from, "public_until": public_until,
            "publicity": publicity, "data": to_json(self._public(kind, fields)),
        }

    # -- entities ---------------------------------------------------------------------------------
    def _party_entity(self, batch: _Batch, position: int, key: str, kind: str, fields: dict[str, Any],
                      stamp: str) -> None:
        """A decision about an entity not (yet) registered here starts its profile from the party fields."""
        code = fields.get("credit_code") if fields.get("credit_code") != INDIVIDUAL_PLACEHOLDER else None
        data = {k: fields[k] for k in _ENTITY_PARTY_FIELDS if fields.get(k)}
        batch.insert_entity({
            "entity_key": key, "valid_from": position, "valid_to": None, "version": 0, "credit_code": code,
            "name": fields.get("party_name"), "category": entity_category(code, fields.get("party_type")),
            "entity_type": fields.get("party_type"),
            "district": district_of(code), "registered_in_city": 0,
            "legal_representative": fields.get("legal_representative"), "status": None, "established": None,
            "data": to_json(self._public(kind, data)), "updated_at": stamp,
        })

    def _entity_row(self, position: int, event: Any, stamp: str) -> dict[str, Any]:
        fields = event.fields
        key = fields["credit_code"]
        return {
            "entity_key": key, "valid_from": position, "valid_to": None, "version": event.originator_version,
            "credit_code": key, "name": fields["name"], "category": entity_category(key),
            "entity_type": fields.get("entity_type"), "district": fields.get("district_code"),
            "registered_in_city": 1, "legal_representative": fields.get("legal_representative"),
            "status": fields.get("status"), "established": fields.get("established"),
            "data": to_json(self._public("entity", fields)), "updated_at": stamp,
        }


class _Batch:
    """The rows of one batch while it is completed: what it created, over what came before it."""

    def __init__(self, state: State, prepared: Prepared):
        self.state = state
        self.rows = Rows(log=prepared.log)
        self.records: dict[str, dict[str, Any]] = {}  # record_id -> current row created in this batch
        self.record_rows: list[dict[str, Any]] = []
        self.entity_rows: dict[str, dict[str, Any]] = {}  # entity_key -> current row created in this batch
        self.all_entity_rows: list[dict[str, Any]] = []
        # keys known to have a current row: one query for the batch, then what the batch adds
        self.entities: set[str] = state.existing_entities(sorted(prepared.keys)) if prepared.keys else set()

    def current_record(self, rid: str) -> dict[str, Any]:
        row = self.records.get(rid)
        return row if row is not None else self.state.current_record(rid)

    def close_record(self, rid: str, position: int) -> None:
        _close(self.records, self.rows.record_closes, rid, position)

    def insert_record(self, row: dict[str, Any]) -> None:
        self.records[row["record_id"]] = row
        self.record_rows.append(row)

    def close_entity(self, key: str, position: int) -> None:
        _close(self.entity_rows, self.rows.entity_closes, key, position)

    def insert_entity(self, row: dict[str, Any]) -> None:
        self.entities.add(row["entity_key"])
        self.entity_rows[row["entity_key"]] = row
        self.all_entity_rows.append(row)

    def finish(self) -> Rows:
        rows = self.rows
        rows.records = [_record_tuple(r) for r in self.record_rows]
        rows.entities = [_entity_tuple(r) for r in self.all_entity_rows]
        return rows


def _close(current: dict[str, dict[str, Any]], closes: list[tuple[int, str]], key: str, position: int) -> None:
    """End the current row of `key`: this batch's own row if it made one, else an UPDATE when written."""
    row = current.get(key)
    if row is not None:
        row["valid_to"] = position
    else:
        closes.append((position, key))
