"""The read model of contributors and their contributions: the public registry with track records.

One row per contributor (its current registration status) and one per contribution (its status,
the verifying department, the society-sourced record it became). The public sees the registry and
the counts (submitted, pending, confirmed, refused, and confirmed records later withdrawn after an
objection), never a pending or refused report's content: that stays in the log, for the
department, the contributor and the auditors.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.contributions import ContributionCase
from domain.contributors import Contributor, rules
from projections.runner import Event
from projections.tracked import TrackedTables

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS v_contributors (credit_code TEXT PRIMARY KEY, contributor_id TEXT NOT NULL, "
    "name TEXT NOT NULL, contributor_type TEXT NOT NULL, status TEXT NOT NULL, registered_on TEXT NOT NULL, "
    "status_on TEXT NOT NULL, status_reason TEXT, position BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS v_contributions (case_id TEXT PRIMARY KEY, number TEXT NOT NULL, "
    "contributor_code TEXT NOT NULL, credit_code TEXT NOT NULL, category TEXT NOT NULL, department TEXT NOT NULL, "
    "status TEXT NOT NULL, submitted_on TEXT NOT NULL, decided_on TEXT, record_id TEXT, position BIGINT NOT NULL)",
]
INDEXES = ["CREATE INDEX IF NOT EXISTS v_contributions_by ON v_contributions (contributor_code, submitted_on)"]


class ContributionViews(TrackedTables):
    name = "contribution_views"
    layout = 1
    schema = SCHEMA
    indexes = INDEXES
    tables = ("v_contributors", "v_contributions")

    def write(self, events: Sequence[Event]) -> None:
        for position, event in events:
            cls = type(event)
            if cls is Contributor.Registered:
                self.db.execute(
                    "INSERT INTO v_contributors (credit_code, contributor_id, name, contributor_type, status, "
                    "registered_on, status_on, status_reason, position) VALUES (?, ?, ?, ?, 'active', ?, ?, NULL, ?)",
                    (event.credit_code, str(event.originator_id), event.name, event.contributor_type, event.on,
                     event.on, position))
            elif cls in (Contributor.Suspended, Contributor.Reinstated):
                status = "suspended" if cls is Contributor.Suspended else "active"
                self.db.execute("UPDATE v_contributors SET status=?, status_on=?, status_reason=?, position=? "
                                "WHERE contributor_id=?", (status, event.on, event.reason, position,
                                                           str(event.originator_id)))
            elif cls is ContributionCase.Submitted:
                self.db.execute(
                    "INSERT INTO v_contributions (case_id, number, contributor_code, credit_code, category, "
                    "department, status, submitted_on, decided_on, record_id, position) "
                    "VALUES (?, ?, ?, ?, ?, ?, 'submitted', ?, NULL, NULL, ?)",
                    (str(event.originator_id), event.number, event.contributor_code, event.credit_code,
                     event.category, event.department, event.on, position))
            elif cls in (ContributionCase.Confirmed, ContributionCase.Refused):
                self.db.execute("UPDATE v_contributions SET status=?, decided_on=?, record_id=?, position=? "
                                "WHERE case_id=?", (event.status, event.on, getattr(event, "record_id", None),
                                                    position, str(event.originator_id)))

    # -- queries ---------------------------------------------------------------------------------------
    def track_records(self, credit_code: str | None = None) -> list[dict[str, Any]]:
        """Every contributor (or one) with its counts; `withdrawn` counts confirmed records since withdrawn."""
        where, params = ("WHERE p.credit_code = ?", [credit_code]) if credit_code else ("", [])
        rows = self.db.query(
            "SELECT p.credit_code, p.name, p.contributor_type, p.status, p.registered_on, p.status_on, "
            "p.status_reason, COUNT(c.case_id) AS submitted, "
            "SUM(CASE WHEN c.status = 'submitted' THEN 1 ELSE 0 END) AS pending, "
            "SUM(CASE WHEN c.status = 'confirmed' THEN 1 ELSE 0 END) AS confirmed, "
            "SUM(CASE WHEN c.status = 'refused' THEN 1 ELSE 0 END) AS refused, "
            "SUM(CASE WHEN r.status = 'withdrawn' THEN 1 ELSE 0 END) AS withdrawn "
            "FROM v_contributors p LEFT JOIN v_contributions c ON c.contributor_code = p.credit_code "
            "LEFT JOIN v_records r ON r.record_id = c.record_id AND r.valid_to IS NULL "
            f"{where} GROUP BY p.credit_code, p.name, p.contributor_type, p.status, p.registered_on, p.status_on, "
            "p.status_reason ORDER BY p.name, p.credit_code", params)
        types = rules()["contributor_types"]
        for row in rows:
            for key in ("pending", "confirmed", "refused", "withdrawn"):
                row[key] = int(row[key] or 0)
            decided = row["confirmed"] + row["refused"]
            row["confirmed_rate"] = round(row["confirmed"] / decided, 3) if decided else None
            row["type_label"] = types[row["contributor_type"]]["zh"]
        return rows

    def of_contributor(self, credit_code: str) -> list[dict[str, Any]]:
        """A contributor's own contributions, newest first (for the contributor and nobody else)."""
        return self.db.query("SELECT * FROM v_contributions WHERE contributor_code = ? "
                             "ORDER BY submitted_on DESC, number", (credit_code,))

    def refused(self) -> list[dict[str, Any]]:
        """Every refused contribution (case numbers; the reasons are in the cases): for auditors."""
        return self.db.query("SELECT * FROM v_contributions WHERE status = 'refused' ORDER BY decided_on, number")

