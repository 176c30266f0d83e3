"""Privileged reads (特权查阅) recorded before the data is served (domain/audit.py says why)."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

from application.ledger import Ledger
from domain.audit import PrivilegedRead

log = logging.getLogger(__name__)


class AuditTrail:
    """Records who read what the public never sees; other auditors see the read at once."""

    def __init__(self, ledger: Ledger, catch_up: Callable[[], None]):
        self.ledger = ledger
        self.catch_up = catch_up

    def record_read(self, *, reader: str, role: str, department: str | None, action: str, subject: str,
                    detail: dict[str, Any] | None = None) -> tuple[UUID, int]:
        """Store one privileged read in the log; return its id and log position."""
        read = PrivilegedRead(reader=reader, role=role, department=department, action=action, subject=subject,
                              detail=dict(detail or {}))
        position = self.ledger.save(read)[-1].notification.id
        try:
            self.catch_up()
        except Exception:  # the read is stored, which is what must hold before serving; the views follow later
            log.exception("catching up after recording a privileged read")
        return read.id, position
