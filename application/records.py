"""Departments' submissions: `Records.submit` is the only way credit facts enter the log.

A batch is one transaction: every accepted item of the batch is stored together, or (on a
storage error) none is. When the answer is returned the read models have caught up
(read-your-writes), unless the caller says it catches up itself (a bulk import).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.ledger import Ledger
from domain.errors import ConcurrentChangeError
from domain.submission import CheckedItem, Checker, ItemResult, apply_item


@dataclass
class BatchResult:
    items: list[ItemResult]
    position: int | None  # the log position of the batch's last event, None if nothing new

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)


def _resubmit() -> Exception:
    return ConcurrentChangeError(
        "records", "concurrent_change", "同一批记录正被同时报送，请重新提交（已存储的记录会被识别为重复）",
        "the same records were being stored at the same time; submit again (stored ones come back as duplicates)")


class Records:
    """Submitting records, corrections, withdrawals, removals and registrations."""

    def __init__(self, ledger: Ledger, checker: Checker, catch_up: Callable[[], None]):
        self.ledger = ledger
        self.checker = checker
        self.catch_up = catch_up

    def submit(self, items: Sequence[Any], *, department: str | None, submitter: str,
               default_kind: str | None = None, visible: bool = True) -> BatchResult:
        """Validate and store a batch; `department` None means each item's own source unit.

        Every item is checked against the one-source rule for the submitting department.
        """
        return self.store(self.checker.check_all(items, department, default_kind), submitter=submitter,
                          visible=visible)

    def store(self, checked: Sequence[CheckedItem | ItemResult], *, submitter: str,
              visible: bool = True) -> BatchResult:
        """Store items already checked by a `Checker` (possibly in another process): one transaction.

        A concurrent writer creating the same record makes the save fail as a whole; the
        batch is then applied again from fresh state.
        """
        results: list[ItemResult] = []

        def command() -> list[Any]:
            targets = {c.target for c in checked if isinstance(c, CheckedItem)}
            touched: dict[UUID, Any] = {agg.id: agg for agg in self.ledger.load_many(targets)}
            results[:] = [c if isinstance(c, ItemResult) else apply_item(c, submitter, touched, self.checker.validator)
                          for c in checked]
            return list(touched.values())

        recordings = self.ledger.execute(command, conflict=_resubmit)
        if not recordings:
            return BatchResult(results, None)
        positions = {(r.domain_event.originator_id, r.domain_event.originator_version): r.notification.id
                     for r in recordings}
        for result in results:
            if result._event is not None:
                result.position = positions[result._event]
        if visible:
            self.catch_up()
        return BatchResult(results, recordings[-1].notification.id)
