"""The read model of traceability: batches, their lineage, every step, and the product-quality facts.

- `v_trace_batches`: one row per batch (what it is, who registered it, where it came from);
- `v_trace_edges`: parent -> child for sub-batches and processing (the recall fan-out walks it);
- `v_trace_steps`: every event on a batch in log order (movements, tests, orders);
- `v_trace_quality`: failed tests and recall / halt orders, each against the batch's registrant
  (the responsible entity), versioned by position like the other public rows: what the profile's
  产品质量信息 section and the open dataset `product-quality` read.

Free text (notes, reasons, places) is scrubbed of ID and phone numbers before it is stored;
no natural person is ever a party (a retail sale names no buyer).
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import schemas
from domain.privacy import scrub_text
from domain.publicity import add_months
from domain.trace import FAIL, TraceBatch, rules
from projections.runner import Event
from projections.tracked import TrackedTables

BATCH_COLUMNS = ("code", "batch_id", "batch_number", "product_name", "category", "unit", "registrant", "origin", "produced_on",
                 "shelf_life_days", "quantity", "registered_on", "how", "parents", "position")
STEP_COLUMNS = ("code", "seq", "position", "step", "actor", "counterparty", "quantity", "on_day", "place", "shipment",
                "batches", "note", "detail", "department_code")
QUALITY_COLUMNS = ("quality_id", "code", "credit_code", "product_name", "category", "category_name", "kind",
                   "kind_name", "on_day", "department_code", "department_name", "document_number", "items", "reason",
                   "public_until", "valid_from", "valid_to")
#: The quality table's columns that are the open dataset's (publishing/product_quality_fields.json).
DATASET_COLUMNS = ("quality_id", "code", "credit_code", "product_name", "category", "category_name", "kind",
                   "kind_name", "on_day", "department_code", "department_name", "document_number", "items", "reason",
                   "public_until")
_INT = {"shelf_life_days", "position", "seq", "shipment", "valid_from", "valid_to"}


def _table(name: str, columns: Sequence[str], key: str) -> str:
    return (f"CREATE TABLE IF NOT EXISTS {name} ("
            + ", ".join(f"{c} {'BIGINT' if c in _INT else 'TEXT'}" for c in columns) + f", PRIMARY KEY ({key}))")


SCHEMA = [
    _table("v_trace_batches", BATCH_COLUMNS, "batch_id"),
    "CREATE UNIQUE INDEX IF NOT EXISTS v_trace_batches_code ON v_trace_batches (code)",  # read while building too
    "CREATE TABLE IF NOT EXISTS v_trace_edges (parent TEXT NOT NULL, child TEXT NOT NULL, how TEXT, quantity TEXT, "
    "PRIMARY KEY (parent, child))",
    _table("v_trace_steps", STEP_COLUMNS, "code, seq"),
    _table("v_trace_quality", QUALITY_COLUMNS, "quality_id, valid_from"),
]
INDEXES = [
    "CREATE INDEX IF NOT EXISTS v_trace_edges_child ON v_trace_edges (child)",
    "CREATE INDEX IF NOT EXISTS v_trace_batches_registrant ON v_trace_batches (registrant)",
    "CREATE INDEX IF NOT EXISTS v_trace_steps_actor ON v_trace_steps (actor)",
    "CREATE INDEX IF NOT EXISTS v_trace_quality_entity ON v_trace_quality (credit_code, valid_to)",
]


def public_until(kind: str, on: str) -> str:
    """The first day a failed test or an order is no longer shown on the profile or in the dataset
    (schemas/trace.json `publicity`: counted in months from the day of the test or decision)."""
    months = rules()["publicity"]["fail_months" if kind == "fail" else "order_months"]
    return add_months(dt.date.fromisoformat(on), months).isoformat()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _free(value: str | None) -> str | None:
    return scrub_text(value) if value else None


class TraceViews(TrackedTables):
    name = "trace_views"
    layout = 1
    schema = SCHEMA
    indexes = INDEXES
    tables = ("v_trace_batches", "v_trace_edges", "v_trace_steps", "v_trace_quality")

    def write(self, events: Sequence[Event]) -> None:
        for position, ev in events:
            if isinstance(ev, TraceBatch.Registered):
                self._registered(position, ev)
            elif isinstance(ev, TraceBatch.Moved):
                self._step(position, ev, ev.step, actor=ev.by, counterparty=ev.to, quantity=ev.quantity,
                           on=ev.on, place=_free(ev.place), shipment=ev.shipment, batches=ev.batches,
                           note=_free(ev.note), detail={})
            elif isinstance(ev, TraceBatch.Tested):
                detail = {"result": ev.result, "items": ev.items, "report_number": ev.report_number,
                          "laboratory": ev.laboratory}
                self._step(position, ev, "tested", actor=None, counterparty=None, quantity=None, on=ev.on, place=None,
                           shipment=None, batches=[], note=_free(ev.note), detail=detail)
                if ev.result == FAIL:
                    self._quality(position, ev, "fail", ev.report_number, "、".join(ev.items), _free(ev.note))
            elif isinstance(ev, TraceBatch.Ordered):
                step = "recalled" if ev.order == "recall" else "halted"
                detail = {"order": ev.order, "document_number": ev.document_number}
                self._step(position, ev, step, actor=None, counterparty=None, quantity=None, on=ev.on, place=None,
                           shipment=None, batches=[], note=_free(ev.reason), detail=detail)
                self._quality(position, ev, ev.order, ev.document_number, None, _free(ev.reason))

    def _registered(self, position: int, ev: TraceBatch.Registered) -> None:
        product = ev.product
        own_number = ev.key.split("/", 1)[-1] if ev.how != "split" else None
        row = {"code": ev.code, "batch_id": str(ev.originator_id),
               "batch_number": product.get("batch_number") or own_number,
               "product_name": product["name"], "category": product["category"], "unit": product["unit"],
               "registrant": ev.registrant, "origin": _dumps({k: _free(v) for k, v in product["origin"].items()}),
               "produced_on": product["produced_on"], "shelf_life_days": product.get("shelf_life_days"),
               "quantity": ev.quantity, "registered_on": ev.on, "how": ev.how, "parents": _dumps(ev.parents),
               "position": position}
        self.db.execute(f"INSERT INTO v_trace_batches ({','.join(BATCH_COLUMNS)}) VALUES "
                        f"({','.join('?' * len(BATCH_COLUMNS))}) ON CONFLICT (batch_id) DO NOTHING",
                        tuple(row[c] for c in BATCH_COLUMNS))
        for parent in ev.parents:
            self.db.execute("INSERT INTO v_trace_edges (parent, child, how, quantity) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT (parent, child) DO NOTHING", (parent["code"], ev.code, ev.how, parent["quantity"]))
        self._step(position, ev, "registered", actor=ev.registrant, counterparty=None, quantity=ev.quantity, on=ev.on,
                   place=None, shipment=None, batches=[p["code"] for p in ev.parents], note=None,
                   detail={"how": ev.how})

    def _step(self, position: int, ev: Any, step: str, **values: Any) -> None:
        code = self._code(ev)
        row = {"code": code, "seq": ev.originator_version, "position": position, "step": step,
               "actor": values["actor"], "counterparty": values["counterparty"], "quantity": values["quantity"],
               "on_day": values["on"], "place": values["place"], "shipment": values["shipment"],
               "batches": _dumps(values["batches"]), "note": values["note"], "detail": _dumps(values["detail"]),
               "department_code": getattr(ev, "department", None)}
        self.db.execute(f"INSERT INTO v_trace_steps ({','.join(STEP_COLUMNS)}) VALUES "
                        f"({','.join('?' * len(STEP_COLUMNS))}) ON CONFLICT (code, seq) DO NOTHING",
                        tuple(row[c] for c in STEP_COLUMNS))

    def _code(self, ev: Any) -> str:
        if isinstance(ev, TraceBatch.Registered):
            return ev.code
        return self.db.execute("SELECT code FROM v_trace_batches WHERE batch_id = ?", (str(ev.originator_id),))[0][0]

    def _quality(self, position: int, ev: Any, kind: str, document: str, items: str | None,
                 reason: str | None) -> None:
        code = self._code(ev)
        batch = self.db.query("SELECT product_name, category, registrant FROM v_trace_batches WHERE code = ?", (code,))
        if not batch:
            return
        departments = {d["code"]: d["name"] for d in schemas.catalog()["departments"]}
        kinds = {"fail": rules()["results"]["fail"]["zh"], **{k: v["zh"] for k, v in rules()["orders"].items()}}
        row = {"quality_id": f"{code}/{ev.originator_version}", "code": code, "credit_code": batch[0]["registrant"],
               "product_name": batch[0]["product_name"], "category": batch[0]["category"],
               "category_name": rules()["categories"][batch[0]["category"]]["zh"], "kind": kind,
               "kind_name": kinds[kind], "on_day": ev.on, "department_code": ev.department,
               "department_name": departments.get(ev.department), "document_number": document, "items": items,
               "reason": reason, "public_until": public_until(kind, ev.on), "valid_from": position, "valid_to": None}
        self.db.execute(f"INSERT INTO v_trace_quality ({','.join(QUALITY_COLUMNS)}) VALUES "
                        f"({','.join('?' * len(QUALITY_COLUMNS))}) ON CONFLICT (quality_id, valid_from) DO NOTHING",
                        tuple(row[c] for c in QUALITY_COLUMNS))
