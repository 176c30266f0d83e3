"""Privileged reads (特权查阅) as facts in the log: who read non-public data, what, and when.

Every read of data the public never sees (the raw log, a record's or an entity's full
history with ID numbers) is recorded as an event in the same log as the records, before
the data is served, so it is covered by the signed tree heads like everything else and
other auditors can list it. A read is its own aggregate (a random id): reads are not
idempotent facts, and concurrent readers never contend for one aggregate.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

#: The topics the audit trail is found by in the log.
READ_TOPIC = "gongshi:PrivilegedRead.Recorded"


class PrivilegedRead(Aggregate):
    """One privileged read: the reader's token identity, role and department, and what was read.

    `action` names the kind of read (`audit.events`, `audit.record_history`, ...), `subject`
    what was read (a record id, a credit code, a position range).
    """

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

    @staticmethod
    def create_id() -> UUID:
        return uuid4()  # reads are not idempotent facts: each is its own aggregate

    @event(Recorded)
    def __init__(self, reader, role, department, action, subject, detail):  # noqa: PLR0913
        self.reader = reader
        self.role = role
        self.department = department
        self.action = action
        self.subject = subject
        self.detail = detail
