"""What the public may see, decided in one place for every surface (pages, JSON, search, datasets).

A record is public when its current version is active (not withdrawn, not repaired), it
is a published kind of decision, and `today` lies inside its publicity period. Time
moves on without any new event, so `today` is always an argument: nothing here is
precomputed "as of now".

Every reader takes a `Moment`: the log position the answer reflects and the day on
which the publicity rules are evaluated. `Moment.now()` is the present.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from projections.db import Database


@dataclass(frozen=True)
class Moment:
    """A point of view: log position (None = latest) and the day the rules are applied on."""

    position: int | None
    today: str

    @classmethod
    def now(cls, today: dt.date | None = None) -> Moment:
        return cls(None, (today or dt.date.today()).isoformat())


def version_clause(moment: Moment, alias: str = "r") -> tuple[str, list[Any]]:
    """Rows current at the moment's position."""
    if moment.position is None:
        return f"{alias}.valid_to IS NULL", []
    return (f"{alias}.valid_from <= ? AND ({alias}.valid_to IS NULL OR {alias}.valid_to > ?)",
            [moment.position, moment.position])


def public_clause(moment: Moment, alias: str = "r") -> tuple[str, list[Any]]:
    """Records the public may see at this moment (versions, status and publicity window)."""
    versions, params = version_clause(moment, alias)
    clause = (f"{versions} AND {alias}.status = 'active' AND {alias}.published = 1 "
              f"AND {alias}.public_from <= ? AND ({alias}.public_until IS NULL OR {alias}.public_until > ?)")
    return clause, [*params, moment.today, moment.today]


def on_list_clause(moment: Moment, alias: str = "r") -> tuple[str, list[Any]]:
    """Listings still on their list on the moment's day (not removed, not expired)."""
    return (f"({alias}.list_until IS NULL OR {alias}.list_until > ?)", [moment.today])


def position_at(db: Database, when: dt.datetime) -> int:
    """The last log position recorded at or before a time (0 before the first event)."""
    rows = db.execute("SELECT MAX(position) FROM v_log WHERE recorded_at <= ?", (when.astimezone(dt.UTC).isoformat(),))
    return rows[0][0] or 0 if rows else 0
