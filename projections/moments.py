"""Moments of the log: the position a time reaches, the day a position is viewed on, and
`as_of` text (read by domain/moments.py) resolved against the `v_log` read model."""
from __future__ import annotations

import datetime as dt

from domain.clock import CHINA
from domain.moments import MomentError, parse_moment
from projections.db import Database
from projections.public import Moment, reflected_position


def position_at(db: Database, when: dt.datetime) -> int:
    """The end of the longest prefix of the log recorded at or before a time (0 before the first event).

    A prefix, not simply the last position stamped before `when`: an event's time is taken
    when it is decided, a moment before its batch is stored, so a concurrent writer can
    store an earlier-stamped event after a later-stamped one. The answer is then cut before
    the first event stamped after `when`, so "as of T" never includes anything from after T.
    """
    rows = db.execute(
        "SELECT MAX(position) FROM v_log WHERE position < "
        "COALESCE((SELECT MIN(position) FROM v_log WHERE recorded_at > ?), 9223372036854775807)",
        (when.astimezone(dt.UTC).isoformat(),))
    return rows[0][0] or 0 if rows else 0


def position_of(db: Database, moment: int | dt.datetime) -> int:
    """A parsed `as_of` as a log position: the position itself, or the one a time reaches."""
    return moment if isinstance(moment, int) else position_at(db, moment)


def moment_at_time(db: Database, when: dt.datetime) -> Moment:
    """The view as it was at a time: the log position then, the rules applied on that day (China time)."""
    return Moment(position_at(db, when), when.astimezone(CHINA).date().isoformat())


def moment_at_position(db: Database, position: int, today: dt.date) -> Moment:
    """The view right after `position` was recorded, with the rules applied on the day it was recorded.

    Position 0 (before the first event) is viewed on `today`.
    """
    rows = db.execute("SELECT recorded_at FROM v_log WHERE position=?", (position,))
    if not rows:
        return Moment(position, today.isoformat())
    recorded = dt.datetime.fromisoformat(rows[0][0]).astimezone(CHINA).date()
    return Moment(position, min(recorded, today).isoformat())


def resolve_moment(db: Database, raw: str, today: dt.date, field: str = "as_of") -> Moment:
    """The moment a read is asked about: now (blank), a log position that exists, or a time."""
    moment = parse_moment(raw, today, field)
    if moment is None:
        return Moment.now(today)
    if isinstance(moment, dt.datetime):
        return moment_at_time(db, moment)
    latest = reflected_position(db, Moment.now(today))
    if moment > latest:
        raise MomentError(field, f"日志位置 {moment} 尚不存在（当前位置 {latest}）",
                          f"log position {moment} does not exist yet (the latest is {latest})")
    return moment_at_position(db, moment, today)
