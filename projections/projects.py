"""The read model of investment projects (domain/projects.py): the public status by code, each item's timing, and
the decided projects' open dataset.

`v_projects` keeps every version by log position (the dataset of decided projects must be reproducible when
pinned); `v_project_items` holds each item's current state and timing (working days from acceptance to its final
opinion, against its limit). Opinions and their reasons stay out of every public answer until the project is
decided (web/projects/ shows them then); the credit checks' gists are for the reviewers.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from domain.projects import ProjectCase, rules
from domain.workdays import calendar
from projections.db import Database
from projections.runner import Event
from projections.tracked import TrackedTables

DATASET_COLUMNS = ("number", "name", "project_type", "industry", "district", "amount", "credit_code", "applicant",
                   "status", "by_commitment", "submitted_on", "accepted_on", "decided_on", "items_total")
COLUMNS = (*DATASET_COLUMNS, "items_decided", "credit", "valid_from", "valid_to")
ITEM_COLUMNS = ("number", "item", "department", "working_days", "accepted_on", "opinion", "reason", "decided_on",
                "days_taken", "on_time")
_INT = {"by_commitment", "items_total", "items_decided", "valid_from", "valid_to", "working_days", "days_taken",
        "on_time"}
_NUM = {"amount"}


def _ddl(columns: Sequence[str]) -> str:
    return ", ".join(f"{c} {'BIGINT' if c in _INT else 'DOUBLE PRECISION' if c in _NUM else 'TEXT'}" for c in columns)


SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS v_projects ({_ddl(COLUMNS)}, PRIMARY KEY (number, valid_from))",
    f"CREATE TABLE IF NOT EXISTS v_project_items ({_ddl(ITEM_COLUMNS)}, PRIMARY KEY (number, item))",
]
INDEXES = ["CREATE INDEX IF NOT EXISTS v_projects_current ON v_projects (number, valid_to)",
           "CREATE INDEX IF NOT EXISTS v_projects_applicant ON v_projects (credit_code, valid_to)",
           "CREATE INDEX IF NOT EXISTS v_project_items_department ON v_project_items (department, decided_on)"]
_FINAL = {ProjectCase.Approved: "approved", ProjectCase.ApprovedWithConditions: "approved_with_conditions",
          ProjectCase.Refused: "refused"}


class ProjectViews(TrackedTables):
    name = "project_views"
    layout = 1
    schema = SCHEMA
    indexes = INDEXES
    tables = ("v_projects", "v_project_items")

    def write(self, events: Sequence[Event]) -> None:
        for position, ev in events:
            cls = type(ev)
            if cls is ProjectCase.Submitted:
                p = ev.project
                self._next({"number": ev.number, "name": p["name"], "project_type": p["project_type"],
                            "industry": p["industry"], "district": p["district"], "amount": p["amount"],
                            "credit_code": ev.credit_code, "applicant": ev.party_name, "status": "submitted",
                            "by_commitment": 0, "submitted_on": ev.on, "accepted_on": None, "decided_on": None,
                            "items_total": len(ev.items), "items_decided": 0, "credit": None}, position)
                for i in ev.items:
                    self.db.execute(f"INSERT INTO v_project_items ({','.join(ITEM_COLUMNS)}) "
                                    f"VALUES ({','.join('?' * len(ITEM_COLUMNS))})",
                                    (ev.number, i["item"], i["department"], i["working_days"], None, None, None, None,
                                     None, None))
                continue
            if cls not in (ProjectCase.Accepted, ProjectCase.NotAccepted, ProjectCase.Opined, *_FINAL):
                continue
            row = self._current(str(ev.originator_id))
            if row is None:
                continue
            if cls is ProjectCase.Accepted:
                row.update(status="in_review", accepted_on=ev.on, by_commitment=int(ev.by_commitment),
                           credit=json.dumps(ev.credit, ensure_ascii=False))
                self.db.execute("UPDATE v_project_items SET accepted_on=? WHERE number=?", (ev.on, row["number"]))
            elif cls is ProjectCase.NotAccepted:
                row.update(status="not_accepted", decided_on=ev.on,
                           credit=json.dumps(ev.credit, ensure_ascii=False) if ev.credit else None)
            elif cls is ProjectCase.Opined:
                final = rules()["opinions"][ev.opinion].get("final", True)
                taken = calendar().working_days_between(row["accepted_on"], ev.on) if row["accepted_on"] else None
                limit = self.db.query("SELECT working_days FROM v_project_items WHERE number=? AND item=?",
                                      (row["number"], ev.item))[0]["working_days"]
                self.db.execute("UPDATE v_project_items SET opinion=?, reason=?, decided_on=?, days_taken=?, on_time=? "
                                "WHERE number=? AND item=?",
                                (ev.opinion, ev.reason, ev.on if final else None, taken if final else None,
                                 int(taken is not None and taken <= limit) if final else None, row["number"], ev.item))
                if final:
                    row["items_decided"] += 1
            else:
                row.update(status=_FINAL[cls], decided_on=ev.on)
            self._next(row, position)

    def _current(self, case_id: str) -> dict[str, Any] | None:
        rows = self.db.query("SELECT p.* FROM v_projects p JOIN v_cases c ON c.number = p.number "
                             "WHERE c.case_id = ? AND p.valid_to IS NULL", (case_id,))
        return rows[0] if rows else None

    def _next(self, row: dict[str, Any], position: int) -> None:
        self.db.execute("UPDATE v_projects SET valid_to=? WHERE number=? AND valid_to IS NULL", (position, row["number"]))
        row = {**row, "valid_from": position, "valid_to": None}
        self.db.execute(f"INSERT INTO v_projects ({','.join(COLUMNS)}) VALUES ({','.join('?' * len(COLUMNS))})",
                        [row[c] for c in COLUMNS])


def project(db: Database, number: str) -> dict[str, Any] | None:
    rows = db.query("SELECT * FROM v_projects WHERE number = ? AND valid_to IS NULL", (number,))
    if not rows:
        return None
    items = db.query("SELECT * FROM v_project_items WHERE number = ? ORDER BY item", (number,))
    return {**rows[0], "items": items}


def of_applicant(db: Database, credit_code: str) -> list[dict[str, Any]]:
    return db.query("SELECT * FROM v_projects WHERE credit_code = ? AND valid_to IS NULL ORDER BY submitted_on DESC, "
                    "number", (credit_code,))


def for_department(db: Database, department: str, window: bool) -> list[dict[str, Any]]:
    """What a department has to do: to accept (the window), items to review (the others); open ones first."""
    if window:
        return db.query("SELECT * FROM v_projects WHERE valid_to IS NULL AND status = 'submitted' "
                        "ORDER BY submitted_on, number")
    return db.query("SELECT p.*, i.item, i.opinion, i.decided_on AS item_decided_on, i.working_days AS item_limit "
                    "FROM v_project_items i JOIN v_projects p ON p.number = i.number AND p.valid_to IS NULL "
                    "WHERE i.department = ? AND p.status IN ('in_review', 'approved', 'approved_with_conditions', "
                    "'refused') ORDER BY (i.decided_on IS NOT NULL), p.accepted_on, p.number", (department,))


def statistics(db: Database) -> list[dict[str, Any]]:
    """Per month of the final opinion and department: items decided, average working days, decided within the limit."""
    rows = db.query("SELECT substr(decided_on, 1, 7) AS month, department, COUNT(*) AS decided, "
                    "AVG(days_taken) AS average_days, SUM(on_time) AS on_time, MAX(working_days) AS limit_days "
                    "FROM v_project_items WHERE decided_on IS NOT NULL GROUP BY 1, 2 ORDER BY 1 DESC, 2")
    for r in rows:  # PostgreSQL sums and averages as numeric: plain numbers for JSON
        r.update(decided=int(r["decided"]), on_time=int(r["on_time"]), limit_days=int(r["limit_days"]),
                 average_days=round(float(r["average_days"]), 1))
        r["on_time_rate"] = round(r["on_time"] / r["decided"], 3)
    return rows
