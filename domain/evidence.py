"""The records behind a supervision answer, as the rules see them: plain dicts and their dates.

Measures, grades and warnings all read the same shape, built by projections/supervision.py
from the read models after the public-visibility clauses have removed what must not count
(withdrawn, repaired, out of publicity, off the list):

    record: {"record_id", "position", "kind", "list_type", "document_number", "authority",
             "decision_date", "list_until", "public_until", "data": {...}, "publicity": {...} | None}
    entity: {"entity_key", "status", "versions": [{"position", "version", "legal_representative",
             "change_date"}, ...]}   # oldest first
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from domain.publicity import add_months

Record = dict[str, Any]


def day(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value[:10])


@lru_cache(maxsize=65536)
def _months_after(start: str | dt.date, months: int) -> dt.date:
    return add_months(day(start), months)


def within_months(start: str | dt.date, months: int, today: dt.date) -> bool:
    """True while `today` is less than `months` calendar months after `start`."""
    return today < _months_after(start, months)


def reference(record: Record, **extra: Any) -> dict[str, Any]:
    """How an answer cites a record: its id, the log position of the version used, and what it is."""
    ref = {k: record.get(k) for k in ("record_id", "position", "kind", "list_type", "document_number",
                                       "authority", "decision_date")}
    ref.update(extra)
    return ref


def license_in_force(record: Record, today: dt.date) -> bool:
    """A licence whose validity covers today and whose state is not 2 (invalid)."""
    data = record["data"]
    if str(data.get("state", "1")) == "2":
        return False
    start, end = data.get("valid_from"), data.get("valid_to")
    iso = today.isoformat()
    return (not start or start <= iso) and (not end or end >= iso)


def of_kind(records: Iterable[Record], kind: str) -> list[Record]:
    return [r for r in records if r["kind"] == kind]

