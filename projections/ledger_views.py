"""The ledger's read models: records and entities, versioned by log position.

Every row carries the positions between which it was current (`valid_from` inclusive,
`valid_to` exclusive, NULL while current), so any view can answer "as of position P".
Only public fields are kept here: ID numbers and phone numbers never reach these tables.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import schemas
from domain.codes import INDIVIDUAL_PLACEHOLDER, entity_category
from domain.privacy import public_fields
from domain.publicity import add_months
from domain.records import Entity, Record
from projections.db import Database
from projections.runner import Event

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
_INT_COLUMNS = {"valid_from", "valid_to", "version", "published", "registered_in_city", "objection"}
_RECORD_EVENTS = (Record.Recorded, Record.Corrected, Record.Withdrawn, Record.Removed, Record.Repaired,
                  Record.RepairRevoked, Record.ObjectionOpened, Record.ObjectionClosed)


def _ddl(table: str, columns: Sequence[str], key: str) -> str:
    cols = ", ".join(f"{c} {'BIGINT' if c in _INT_COLUMNS else 'TEXT'}" for c in columns)
    return f"CREATE TABLE IF NOT EXISTS {table} ({cols}, PRIMARY KEY ({key}, valid_from))"


SCHEMA = [
    "CREATE TABLE IF NOT EXISTS v_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
    _ddl("v_records", RECORD_COLUMNS, "record_id"),
    _ddl("v_entities", ENTITY_COLUMNS, "entity_key"),
    "CREATE TABLE IF NOT EXISTS v_log (position BIGINT PRIMARY KEY, recorded_at TEXT NOT NULL, "
    "event TEXT NOT NULL, aggregate_id TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS v_log_time ON v_log (recorded_at)",
    "CREATE INDEX IF NOT EXISTS v_records_current ON v_records (valid_to, kind, decision_date)",
    "CREATE INDEX IF NOT EXISTS v_records_entity ON v_records (entity_key, valid_to)",
    "CREATE INDEX IF NOT EXISTS v_records_open ON v_records (record_id, valid_to)",
    "CREATE INDEX IF NOT EXISTS v_entities_current ON v_entities (valid_to, district)",
    # Without this the per-batch "which of these entities exist" lookup scanned every
    # current entity (the planner took v_entities_current): replay slowed as N grew.
    "CREATE INDEX IF NOT EXISTS v_entities_open ON v_entities (entity_key, valid_to)",
    "CREATE INDEX IF NOT EXISTS v_entities_code ON v_entities (credit_code, valid_to)",
]
TABLES = ("v_records", "v_entities", "v_log")


def to_json(value: Any) -> str:
    """Deterministic JSON: a rebuild from the log gives byte-identical rows."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default)


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


def _next_day(iso: str) -> str:
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=1)).isoformat()


class TrackedTables:
    """Base for projections whose rows and position live in one database transaction.

    `layout` is the version of the tables' shape: when it changes, the tables are
    dropped and rebuilt from the log (read models are disposable, the log is not).
    """

    name = ""
    layout = 1
    schema: Sequence[str] = ()
    tables: Sequence[str] = ()

    def __init__(self, db: Database):
        self.db = db
        db.execute(SCHEMA[0])
        db.execute("CREATE TABLE IF NOT EXISTS v_layout (name TEXT PRIMARY KEY, layout BIGINT NOT NULL)")
        rows = db.execute("SELECT layout FROM v_layout WHERE name=?", (self.name,))
        if rows and rows[0][0] != self.layout:
            with db.transaction():
                for table in self.tables:
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                db.execute("DELETE FROM v_tracking WHERE name=?", (self.name,))
        for statement in self.schema:
            db.execute(statement)
        db.execute("INSERT INTO v_layout (name, layout) VALUES (?, ?) "
                   "ON CONFLICT (name) DO UPDATE SET layout=excluded.layout", (self.name, self.layout))

    def position(self) -> int:
        rows = self.db.execute("SELECT position FROM v_tracking WHERE name=?", (self.name,))
        return rows[0][0] if rows else 0

    def apply(self, events: Sequence[Event], position: int) -> None:
        with self.db.transaction():
            done = self._locked_position()
            todo = [e for e in events if e[0] > done]
            if todo:
                self.write(todo)
            if position > done:
                self.db.execute(
                    "INSERT INTO v_tracking (name, position) VALUES (?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET position=excluded.position", (self.name, position))

    def _locked_position(self) -> int:
        lock = " FOR UPDATE" if self.db.dialect == "postgresql" else ""
        rows = self.db.execute(f"SELECT position FROM v_tracking WHERE name=?{lock}", (self.name,))
        return rows[0][0] if rows else 0

    def reset(self) -> None:
        with self.db.transaction():
            for table in self.tables:
                self.db.execute(f"DELETE FROM {table}")
            self.db.execute("DELETE FROM v_tracking WHERE name=?", (self.name,))

    def write(self, events: Sequence[Event]) -> None:
        raise NotImplementedError


class LedgerViews(TrackedTables):
    """Records (with publicity window and status) and entity profiles."""

    name = "ledger_views"
    layout = 2
    schema = SCHEMA[1:]
    tables = TABLES

    def __init__(self, db: Database):
        super().__init__(db)
        self.private = {k: schemas.private_fields(k) for k in schemas.KINDS}
        self.free_text = {k: schemas.free_text_fields(k) for k in schemas.KINDS}
        self.list_months = schemas.publicity_rules()["lists"]["dishonesty_listing_months"]

    # -- one batch --------------------------------------------------------------------------------
    def write(self, events: Sequence[Event]) -> None:
        batch = _Batch(self.db)
        batch.preload(events)
        for position, event in events:
            batch.log_rows.append((position, event.timestamp.isoformat(), type(event).TOPIC.removeprefix("gongshi:"),
                                   str(event.originator_id)))
            if isinstance(event, _RECORD_EVENTS):
                self._record_event(batch, position, event)
            elif isinstance(event, Entity.Registered | Entity.Changed):
                self._entity_event(batch, position, event)
        batch.flush()

    def _public(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        return public_fields(fields, self.private[kind], self.free_text[kind])

    def _record_event(self, batch: _Batch, position: int, event: Any) -> None:
        rid = str(event.originator_id)
        stamp = event.timestamp.isoformat()
        if isinstance(event, Record.Recorded):
            row = self._record_row(event.kind, event.fields, event.window, event.department)
            row.update(record_id=rid, version=1, event="recorded", reason=None, status="active",
                       removed_date=None, objection=0, recorded_at=stamp)
            self._ensure_entity(batch, position, event.kind, event.fields, stamp)
        else:
            previous = batch.current_record(rid)
            row = dict(previous)
            if isinstance(event, Record.Corrected):
                row.update(self._record_row(previous["kind"], event.fields, event.window, event.department))
                row.update(event="corrected", reason=event.reason)
            elif isinstance(event, Record.Withdrawn):
                row.update(event="withdrawn", reason=event.reason, status="withdrawn")
            elif isinstance(event, Record.Repaired):
                row.update(event="repaired", reason=event.case_id, status="repaired")
            elif isinstance(event, Record.RepairRevoked):
                row.update(event="repair_revoked", reason=event.reason, status="active")
            elif isinstance(event, Record.ObjectionOpened):
                row.update(event="objection_opened", reason=event.case_id, objection=row["objection"] + 1)
            elif isinstance(event, Record.ObjectionClosed):
                row.update(event="objection_closed", reason=event.outcome, objection=max(0, row["objection"] - 1))
            else:
                data = json.loads(previous["data"])
                data["removal"] = self._public(previous["kind"], event.removal)
                row.update(event="removed", reason=event.removal.get("cause"), data=to_json(data),
                           removed_date=event.removal["decision_date"], list_until=event.removal["decision_date"])
            row.update(version=event.originator_version, recorded_at=stamp)
            batch.close_record(rid, position)
        row.update(valid_from=position, valid_to=None)
        batch.insert_record(row)

    def _record_row(self, kind: str, fields: dict[str, Any], window: dict[str, Any] | None, department: str) -> dict[str, Any]:
        decided = fields.get("decision_date") or fields.get("commitment_date")
        public_until, list_until, published = None, None, 1
        public_from = decided
        if window is not None:
            public_from, public_until, published = window["start"], window["max_end"], int(window["published"])
        elif kind == "red_list" and fields.get("valid_to"):
            public_until = _next_day(fields["valid_to"])
        elif kind == "dishonesty_listing":
            list_until = add_months(dt.date.fromisoformat(decided), self.list_months).isoformat()
        code = fields.get("credit_code")
        return {
            "kind": kind, "list_type": fields.get("list_type"), "entity_key": entity_key_of(fields),
            "credit_code": code, "party_name": fields.get("party_name"), "party_type": fields.get("party_type"),
            "authority_code": fields.get("authority_code"), "authority": fields.get("authority"),
            "department": department, "document_number": fields.get("document_number"),
            "decision_date": decided, "district": district_of(code), "list_until": list_until,
            "published": published, "public_from": public_from, "public_until": public_until,
            "publicity": to_json(window) if window is not None else None, "data": to_json(self._public(kind, fields)),
        }

    def _ensure_entity(self, batch: _Batch, position: int, kind: str, fields: dict[str, Any], stamp: str) -> None:
        """A decision about an entity not (yet) registered here starts its profile from the party fields."""
        key = entity_key_of(fields)
        if key is None or batch.entity_exists(key):
            return
        code = fields.get("credit_code") if fields.get("credit_code") != INDIVIDUAL_PLACEHOLDER else None
        category = entity_category(code) if code else None
        if category is None and fields.get("party_type") == "个体工商户":
            category = "个体工商户"
        data = {k: fields[k] for k in ("party_name", "party_type", "credit_code", "registration_number",
                                       "legal_representative") if fields.get(k)}
        batch.insert_entity({
            "entity_key": key, "valid_from": position, "valid_to": None, "version": 0, "credit_code": code,
            "name": fields.get("party_name"), "category": category, "entity_type": fields.get("party_type"),
            "district": district_of(code), "registered_in_city": 0,
            "legal_representative": fields.get("legal_representative"), "status": None, "established": None,
            "data": to_json(self._public(kind, data)), "updated_at": stamp,
        })

    def _entity_event(self, batch: _Batch, position: int, event: Any) -> None:
        fields = event.fields
        key = fields["credit_code"]
        if batch.entity_exists(key):
            batch.close_entity(key, position)
        batch.insert_entity({
            "entity_key": key, "valid_from": position, "valid_to": None, "version": event.originator_version,
            "credit_code": key, "name": fields["name"], "category": entity_category(key),
            "entity_type": fields.get("entity_type"), "district": fields.get("district_code"),
            "registered_in_city": 1, "legal_representative": fields.get("legal_representative"),
            "status": fields.get("status"), "established": fields.get("established"),
            "data": to_json(self._public("entity", fields)), "updated_at": event.timestamp.isoformat(),
        })


class _Batch:
    """Rows of one batch, kept in memory and written with executemany at the end."""

    def __init__(self, db: Database):
        self.db = db
        self.records: dict[str, dict[str, Any]] = {}  # current rows created in this batch
        self.record_rows: list[dict[str, Any]] = []
        self.record_closes: list[tuple[int, str]] = []
        self.entities: set[str] = set()
        self.entity_rows: list[dict[str, Any]] = []
        self.entity_closes: dict[str, int] = {}
        self.log_rows: list[tuple[int, str, str, str]] = []

    def preload(self, events: Sequence[Event]) -> None:
        keys = set()
        for _, event in events:
            fields = getattr(event, "fields", None)
            if fields is not None:
                key = entity_key_of(fields)
                if key:
                    keys.add(key)
        keys = sorted(keys)
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT entity_key FROM v_entities WHERE valid_to IS NULL AND entity_key IN ({marks})", chunk)
            self.entities.update(r[0] for r in rows)

    def current_record(self, rid: str) -> dict[str, Any]:
        if rid in self.records:
            return self.records[rid]
        rows = self.db.query("SELECT * FROM v_records WHERE record_id=? AND valid_to IS NULL", (rid,))
        return rows[0]

    def close_record(self, rid: str, position: int) -> None:
        if rid in self.records:
            self.records[rid]["valid_to"] = position
        else:
            self.record_closes.append((position, rid))

    def insert_record(self, row: dict[str, Any]) -> None:
        self.records[row["record_id"]] = row
        self.record_rows.append(row)

    def entity_exists(self, key: str) -> bool:
        return key in self.entities

    def close_entity(self, key: str, position: int) -> None:
        for row in reversed(self.entity_rows):
            if row["entity_key"] == key and row["valid_to"] is None:
                row["valid_to"] = position
                return
        self.entity_closes[key] = position

    def insert_entity(self, row: dict[str, Any]) -> None:
        self.entities.add(row["entity_key"])
        self.entity_rows.append(row)

    def flush(self) -> None:
        db = self.db
        db.executemany("UPDATE v_records SET valid_to=? WHERE record_id=? AND valid_to IS NULL", self.record_closes)
        db.executemany("UPDATE v_entities SET valid_to=? WHERE entity_key=? AND valid_to IS NULL",
                       [(p, k) for k, p in self.entity_closes.items()])
        marks = ",".join("?" * len(RECORD_COLUMNS))
        db.executemany(f"INSERT INTO v_records ({','.join(RECORD_COLUMNS)}) VALUES ({marks})",
                       [tuple(r[c] for c in RECORD_COLUMNS) for r in self.record_rows])
        db.executemany("INSERT INTO v_log (position, recorded_at, event, aggregate_id) VALUES (?, ?, ?, ?)", self.log_rows)
        marks = ",".join("?" * len(ENTITY_COLUMNS))
        db.executemany(f"INSERT INTO v_entities ({','.join(ENTITY_COLUMNS)}) VALUES ({marks})",
                       [tuple(r[c] for c in ENTITY_COLUMNS) for r in self.entity_rows])
