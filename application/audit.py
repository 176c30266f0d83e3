"""The auditors' side of the log: privileged reads recorded before they are served, and what they read.

Every read of data the public never sees (the raw log, a record's or an entity's full
history with ID numbers, a grade, a case's material) is first stored as a `PrivilegedRead`
event (domain/audit.py says why), and only then answered. The answers name each event's
log position, its leaf index in the Merkle log and the token that submitted it.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from application.ledger import Ledger
from domain.audit import READ_TOPIC, PrivilegedRead
from domain.records import entity_id
from projections import integrity
from projections.db import Database
from stores.tokens import Principal, TokenStore

log = logging.getLogger(__name__)
_AGGREGATE_FIELDS = {"originator_id", "originator_version", "timestamp", "department", "submitter"}


def jsonable(value: Any) -> Any:
    """Event values as JSON: decimals as exact strings, dates and times in ISO 8601, ids as text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


class AuditTrail:
    """Records who read what the public never sees, and reads the log for auditors."""

    def __init__(self, ledger: Ledger, db: Database, tokens: TokenStore, catch_up: Callable[[], None]):
        self.ledger = ledger
        self.db = db
        self.tokens = tokens
        self.catch_up = catch_up

    # -- the command ------------------------------------------------------------------------------
    def record_read(self, *, reader: str, role: str, department: str | None, action: str, subject: str,
                    detail: dict[str, Any] | None = None) -> tuple[uuid.UUID, int]:
        """Store one privileged read in the log; return its id and log position."""
        read = PrivilegedRead(reader=reader, role=role, department=department, action=action, subject=subject,
                              detail=dict(detail or {}))
        position = self.ledger.save(read)[-1].notification.id
        try:
            self.catch_up()  # other auditors see the read at once
        except Exception:  # the read is stored, which is what must hold before serving; the views follow later
            log.exception("catching up after recording a privileged read")
        return read.id, position

    def recorded(self, principal: Principal, action: str, subject: str,
                 detail: dict[str, Any] | None = None) -> dict[str, Any]:
        """Record a read by a token's holder; name where it was recorded (`recorded_as` of an answer)."""
        read_id, position = self.record_read(reader=principal.identity, role=principal.role,
                                             department=principal.department, action=action, subject=subject,
                                             detail=detail)
        return {"read_id": str(read_id), "position": position,
                "leaf_index": integrity.leaf_index_of(self.db, position)}

    # -- what auditors read ------------------------------------------------------------------------
    def events(self, start: int, limit: int, *, reads_only: bool = False) -> dict[str, Any]:
        """The log from position `start` (only the privileged reads, if asked), decoded."""
        topics = [READ_TOPIC] if reads_only else ()
        notifications = list(self.ledger.recorder.select_notifications(start, limit, topics=topics))
        leaves = integrity.leaf_indices_of(self.db, [n.id for n in notifications])
        tokens = self._submitters()
        return {"events": [self._event_json(self.ledger.mapper.to_domain_event(n), n.id, leaves.get(n.id), tokens)
                           for n in notifications],
                "next": notifications[-1].id + 1 if len(notifications) == limit else None}

    def history(self, aggregate_ids: Iterable[uuid.UUID]) -> list[dict[str, Any]]:
        """Every event of these aggregates, in log order."""
        tokens, out = self._submitters(), []
        for aggregate_id in aggregate_ids:
            located = integrity.positions_of(self.db, str(aggregate_id))
            for event in self.ledger.history(aggregate_id):
                position, leaf_index = located.get(event.originator_version, (None, None))
                out.append(self._event_json(event, position, leaf_index, tokens))
        return sorted(out, key=lambda e: (e["position"] is None, e["position"] or 0))

    def entity_history(self, code: str, record_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The entity's registration events and every event of the aggregates about it (records, reports)."""
        return self.history([entity_id(code), *(uuid.UUID(r) for r in record_ids)])

    def _submitters(self) -> dict[str, dict[str, Any]]:
        """Token identities -> what the token store knows of them (never the secret)."""
        return {f"token:{t['id']}": {k: t[k] for k in ("department", "role", "label", "revoked_at")}
                for t in self.tokens.list()}

    @staticmethod
    def _event_json(event: Any, position: int | None, leaf_index: int | None,
                    tokens: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """One decoded event for an auditor: where and when it is in the log, who sent it, every field."""
        submitter = getattr(event, "submitter", None)
        return {
            "position": position,
            "leaf_index": leaf_index,
            "time": event.timestamp.isoformat(),
            "event": type(event).TOPIC.removeprefix("gongshi:"),
            "aggregate_id": str(event.originator_id),
            "version": event.originator_version,
            "department": getattr(event, "department", None),
            "submitter": None if submitter is None else {"identity": submitter, "token": tokens.get(submitter)},
            "data": jsonable({k: v for k, v in vars(event).items() if k not in _AGGREGATE_FIELDS}),
        }


