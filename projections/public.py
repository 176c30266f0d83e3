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

from domain import clock
from domain.publicity import add_months
from projections.db import Database
from projections.ledger_views import LedgerViews

@dataclass(frozen=True)
class Moment:
    """A point of view: log position (None = latest) and the day the rules are applied on."""

    position: int | None
    today: str

    @classmethod
    def now(cls, today: dt.date | None = None) -> Moment:
        return cls(None, (today or clock.today()).isoformat())


def version_clause(moment: Moment, alias: str = "r") -> tuple[str, list[Any]]:
    """Rows current at the moment's position."""
    if moment.position is None:
        return f"{alias}.valid_to IS NULL", []
    return (f"{alias}.valid_from <= ? AND ({alias}.valid_to IS NULL OR {alias}.valid_to > ?)",
            [moment.position, moment.position])


def public_in_window_clause(moment: Moment, alias: str = "r") -> tuple[str, list[Any]]:
    """Records public on the days of their publicity window (versions and status, not the day).

    What a search index may hold: it applies the window itself, on the day it is asked about.
    """
    versions, params = version_clause(moment, alias)
    return f"{versions} AND {alias}.status = 'active' AND {alias}.published = 1", params


def public_clause(moment: Moment, alias: str = "r") -> tuple[str, list[Any]]:
    """Records the public may see at this moment (versions, status and publicity window)."""
    clause, params = public_in_window_clause(moment, alias)
    clause += f" AND {alias}.public_from <= ? AND ({alias}.public_until IS NULL OR {alias}.public_until > ?)"
    return clause, [*params, moment.today, moment.today]


def on_list_clause(moment: Moment, alias: str = "r") -> tuple[str, list[Any]]:
    """Listings still on their list on the moment's day (not removed, not expired)."""
    return (f"({alias}.list_until IS NULL OR {alias}.list_until > ?)", [moment.today])


def reflected_position(db: Database, moment: Moment) -> int:
    """The log position an answer at this moment reflects (the read models' own, for "now")."""
    if moment.position is not None:
        return moment.position
    rows = db.execute("SELECT position FROM v_tracking WHERE name=?", (LedgerViews.name,))
    return rows[0][0] if rows else 0


#: The states a record no longer public can be in, as far as a consented lender may be told of it.
_LENDER_STATES = {
    "expired": "{a}.status = 'active' AND {a}.published = 1 AND {a}.public_until IS NOT NULL AND {a}.public_until <= ?",
    "repaired": "{a}.status = 'repaired' AND {a}.published = 1",
}


def lender_clause(moment: Moment, beyond_public: list[dict[str, Any]], alias: str = "r") -> tuple[str, list[Any]]:
    """Records no longer public that a lender holding the firm's consent may see (schemas/lending.json
    `lender_report.beyond_public`): per rule, a kind, the state it is in (`expired`: past its publicity window,
    `repaired`: closed by credit repair) and how far back, in months from its decision date. Withdrawn and
    never-published decisions match no rule: no report ever shows them."""
    versions, params = version_clause(moment, alias)
    today = dt.date.fromisoformat(moment.today)
    parts: list[str] = []
    for rule in beyond_public:
        state = _LENDER_STATES[rule["state"]].format(a=alias)
        parts.append(f"({alias}.kind = ? AND {state} AND {alias}.decision_date >= ?)")
        params_of_state = [moment.today] if rule["state"] == "expired" else []
        params += [rule["kind"], *params_of_state, add_months(today, -int(rule["within_months"])).isoformat()]
    if not parts:
        return "1 = 0", []
    return f"{versions} AND ({' OR '.join(parts)})", params
