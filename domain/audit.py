"""Privileged reads (特权查阅) as facts in the log: who read non-public data, what, and when.

Every read of data the public never sees (the raw log, a record's or an entity's full
history with ID numbers) is recorded as an event in the same log as the records, before
the data is served, so it is covered by the signed tree heads like everything else and
other auditors can list it. A read is its own aggregate (a random id): reads are not
idempotent facts, and concurrent readers never contend for one aggregate.
"""
from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

#: The topics the audit trail is found by in the log.
READ_TOPIC = "gongshi:PrivilegedRead.Recorded"


class PrivilegedRead(Aggregate):
    """One privileged read: the reader's token identity, role and department, and what was read."""

    TOPIC = "gongshi:PrivilegedRead"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:PrivilegedRead.Created"

    class Recorded(Aggregate.Created):
        TOPIC = READ_TOPIC
        reader: str
        role: str
        department: str | None
        action: str
        subject: str
        detail: dict[str, Any]

    @event(Recorded)
    def __init__(self, reader, role, department, action, subject, detail):  # noqa: PLR0913
        self.reader = reader
        self.role = role
        self.department = department
        self.action = action
        self.subject = subject
        self.detail = detail


class SavesAggregates(Protocol):
    def save(self, *aggregates: Any) -> Any: ...


def record_read(
    ledger: SavesAggregates, *, reader: str, role: str, department: str | None,
    action: str, subject: str, detail: dict[str, Any] | None = None,
) -> tuple[UUID, int]:
    """Store one privileged read in the log; return its id and log position.

    `action` names the kind of read (`audit.events`, `audit.record_history`, ...),
    `subject` what was read (a record id, a credit code, a position range).
    """
    read = PrivilegedRead._create(
        PrivilegedRead.Recorded, id=uuid4(), reader=reader, role=role, department=department,
        action=action, subject=subject, detail=dict(detail or {}),
    )
    recordings = ledger.save(read)
    return read.id, recordings[-1].notification.id
