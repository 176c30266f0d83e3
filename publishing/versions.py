"""Dataset versions: log positions, the day the publicity rules are applied on, and the history.

A dataset's content is a pure function of (definition, log position, day). A download pinned
with `?as_of=P` applies the rules on the day of event P, taken from v_log, so the same
request returns the same bytes forever. The latest version of a dataset is the last position
at which its rows changed, evaluated today.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from domain.clock import CHINA
from projections.db import Database
from projections.moments import moment_at_position
from projections.public import Moment
from publishing.definitions import ANNUAL_REPORT, COMPLAINT, DOCUMENT, FINANCING, ONLINE, PROJECT, INSPECTION_RESULT, PRODUCT_QUALITY, Dataset
from publishing.sources import RecordSource, source_for

#: Datasets whose rows are a versioned read model of their own: source -> (table, the change key of `last_changes`).
VERSIONED_TABLES = {"annual_reports": ("v_annual_reports", ANNUAL_REPORT),
                    "inspection_results": ("v_inspection_results", INSPECTION_RESULT),
                    "product_quality": ("v_trace_quality", PRODUCT_QUALITY),
                    "financing": ("v_loan_applications", FINANCING),
                    "complaints": ("v_complaint_versions", COMPLAINT),
                    "online_presences": ("v_online_presences", ONLINE),
                    "contracts": ("v_documents", DOCUMENT),
                    "projects": ("v_projects", PROJECT)}


class PositionError(ValueError):
    """An as_of position that is not in the log (yet)."""


@dataclass(frozen=True)
class Version:
    """One version of one dataset: what the bytes of every resource are a function of."""

    dataset: Dataset
    position: int
    day: str
    recorded_at: str | None  # naive UTC ISO time of the event at `position` (None for an empty log)
    pinned: bool

    @property
    def moment(self) -> Moment:
        return Moment(self.position, self.day)

    @property
    def key(self) -> str:
        return f"{self.dataset.name}@{self.dataset.digest}:{self.position}:{self.day}"


def naive_utc(iso: str | None) -> str | None:
    """CKAN's datetime format: naive UTC with microseconds, no offset."""
    if not iso:
        return None
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def log_end(db: Database) -> int:
    """The last position applied to the read models (0 for an empty log)."""
    return db.execute("SELECT MAX(position) FROM v_log")[0][0] or 0


def event_at(db: Database, position: int) -> tuple[int, str] | None:
    """The last event at or before a position: (its position, its recorded_at)."""
    rows = db.execute("SELECT position, recorded_at FROM v_log WHERE position = "
                      "(SELECT MAX(position) FROM v_log WHERE position <= ?)", (position,))
    return (rows[0][0], rows[0][1]) if rows else None


def day_of(recorded_at: str) -> str:
    """The day an event happened on in Benxi (China time), as projections/public.py counts days."""
    moment = dt.datetime.fromisoformat(recorded_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA).date().isoformat()


def pinned(db: Database, dataset: Dataset, position: int, today: dt.date) -> Version:
    """The version of a dataset at a log position, with the rules applied on that event's day."""
    end = log_end(db)
    if position < 1 or position > end:
        raise PositionError(f"position {position} is not in the log (it holds positions 1 to {end})")
    found = event_at(db, position)
    assert found is not None
    day = moment_at_position(db, found[0], today).today  # a gap in the positions takes the event before it
    return Version(dataset, position, day, naive_utc(found[1]), pinned=True)


def last_changes(db: Database) -> dict[str, tuple[int, int]]:
    """First and last change position of every record kind, and of registered entities ('entity')."""
    out = {kind: (first, last) for kind, first, last in db.execute(
        "SELECT kind, MIN(valid_from), MAX(valid_from) FROM v_records GROUP BY kind")}
    first, last = db.execute("SELECT MIN(valid_from), MAX(valid_from) FROM v_entities WHERE registered_in_city = 1")[0]
    if last is not None:
        out["entity"] = (first, last)
    for table, key in VERSIONED_TABLES.values():
        if db.table_exists(table):
            first, last = db.execute(f"SELECT MIN(valid_from), MAX(valid_from) FROM {table}")[0]
            if last is not None:
                out[key] = (first, last)
    return out


def change_span(dataset: Dataset, changes: dict[str, tuple[int, int]]) -> tuple[int, int] | None:
    """First and last position at which the dataset's rows may have changed (by kind, so at most late)."""
    kinds = {"entities": ("entity",), **{source: (key,) for source, (_, key) in VERSIONED_TABLES.items()}}.get(
        dataset.source, dataset.kinds)
    spans = [changes[k] for k in kinds if k in changes]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


def latest(db: Database, dataset: Dataset, changes: dict[str, tuple[int, int]], today: str) -> Version:
    """Today's version: the dataset as of its last change, with the rules applied today."""
    span = change_span(dataset, changes)
    if span is None:
        return Version(dataset, 0, today, None, pinned=False)
    found = event_at(db, span[1])
    return Version(dataset, span[1], today, naive_utc(found[1]) if found else None, pinned=False)


def activity(db: Database, dataset: Dataset, limit: int, offset: int) -> list[dict[str, Any]]:
    """The log positions at which the dataset changed, newest first (one per event)."""
    if dataset.source == "entities":
        statement = ("SELECT e.valid_from, l.recorded_at, l.event FROM v_entities e JOIN v_log l ON l.position = e.valid_from "
                     "WHERE e.registered_in_city = 1")
        params: list[Any] = []
    elif dataset.source in VERSIONED_TABLES:
        table = VERSIONED_TABLES[dataset.source][0]
        statement = (f"SELECT DISTINCT t.valid_from, l.recorded_at, l.event FROM {table} t "
                     "JOIN v_log l ON l.position = t.valid_from")
        params = []
    else:
        source = source_for(db, dataset)
        if isinstance(source, RecordSource):
            conditions, params = source.scope()
        else:
            conditions, params = [f"r.kind IN ({','.join('?' * len(dataset.kinds))})"], list(dataset.kinds)
        # only versions of records that are ever published change a dataset; the others must not leak
        statement = ("SELECT r.valid_from, l.recorded_at, l.event FROM v_records r JOIN v_log l ON l.position = r.valid_from "
                     f"WHERE r.published = 1 AND {' AND '.join(conditions)}")
    rows = db.execute(f"{statement} ORDER BY 1 DESC LIMIT ? OFFSET ?", [*params, limit, offset])
    return [{"position": p, "timestamp": naive_utc(t), "event": e, "day": day_of(t)} for p, t, e in rows]
