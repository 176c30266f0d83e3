"""The read model of cases (repairs, objections, complaints, contributions): reviewers' and firms' lists, public status.

A complaint's contact details are not here: only its handling department reads them, from the case.

Complaints and reports also keep their versions by log position (`v_complaint_versions`: month
filed, kind, category, department, whether concluded and on time, whether upheld, each valid
from one position to the next) because their counts are an open dataset (complaint-statistics)
that a download pinned to a position must reproduce byte for byte.

One row per case, its current state: status, the stage whose clock is running, the
deadline of that stage (computed with domain/workdays.py from the limits stored in the
case) and how many stages were decided late. Whether a case is overdue is asked with a
day (`today`), because time passes without events.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from domain import complaints, contributions, objections, projects, quality, repair
from domain.cases import OBJECTION, REPAIR, CaseStep, deadline, workflows
from domain.complaints import COMPLAINT_CASE
from projections.runner import Event
from projections.tracked import TrackedTables

COLUMNS = (
    "case_id", "number", "kind", "record_id", "record_kind", "document_number", "credit_code", "party_name",
    "department", "grounds", "status", "outcome", "stage", "since", "due", "submitted_on", "updated_on",
    "late", "last_reason", "limits", "position", "category", "subject_type", "complaint_kind",
)
_INT = {"late", "position"}
#: one version of one complaint's countable facts (no party, no contact, no facts)
VERSION_COLUMNS = ("case_id", "valid_from", "valid_to", "month", "complaint_kind", "category", "department",
                   "concluded", "on_time", "upheld")
#: the columns of the complaint-statistics dataset (publishing/sources.ComplaintStatisticsSource counts them)
STATISTICS_COLUMNS = ("month", "complaint_kind", "category", "department_code", "filed", "open", "concluded",
                      "concluded_on_time", "upheld")
UPHELD = ("substantiated", "partly")
_COLUMN_DDL = ", ".join(f"{c} {'BIGINT' if c in _INT else 'TEXT'}" for c in COLUMNS)
SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS v_cases ({_COLUMN_DDL}, PRIMARY KEY (case_id))",
    "CREATE UNIQUE INDEX IF NOT EXISTS v_cases_number ON v_cases (number)",
    "CREATE INDEX IF NOT EXISTS v_cases_department ON v_cases (department, stage, due)",
    "CREATE INDEX IF NOT EXISTS v_cases_firm ON v_cases (credit_code, submitted_on)",
    "CREATE TABLE IF NOT EXISTS v_complaint_versions ("
    + ", ".join(f"{c} {'TEXT' if c in ('case_id', 'month', 'complaint_kind', 'category', 'department') else 'BIGINT'}"
                for c in VERSION_COLUMNS)
    + ", PRIMARY KEY (case_id, valid_from))",
    "CREATE INDEX IF NOT EXISTS v_complaint_versions_position ON v_complaint_versions (valid_from)",
]
_SUBMITTED = {repair.RepairCase.Submitted: REPAIR, objections.ObjectionCase.Submitted: OBJECTION,
              complaints.ComplaintCase.Submitted: COMPLAINT_CASE,
              contributions.ContributionCase.Submitted: contributions.CONTRIBUTION,
              projects.ProjectCase.Submitted: projects.PROJECT,
              quality.QualityFlagCase.Submitted: quality.QUALITY_FLAG}
_STEPS = (CaseStep,)


def overdue_sql(alias: str = "c") -> str:
    """SQL for 'a deadline is running and has passed' (one parameter: today)."""
    return f"({alias}.due IS NOT NULL AND {alias}.due < ?)"


class CaseViews(TrackedTables):
    name = "case_views"
    layout = 3  # 2: complaints' category, subject type and kind; 3: complaints' versions
    schema = SCHEMA
    tables = ("v_cases", "v_complaint_versions")

    def write(self, events: Sequence[Event]) -> None:
        rows: dict[str, dict[str, Any]] = {}
        for position, event in events:
            if type(event) in _SUBMITTED:
                row = self._submitted(_SUBMITTED[type(event)], event)
            elif isinstance(event, _STEPS):
                row = rows.get(str(event.originator_id)) or self._current(str(event.originator_id))
                self._step(row, event)
            else:
                continue
            row["position"] = position
            rows[row["case_id"]] = row
            if row["kind"] == COMPLAINT_CASE:
                self._version(row, position)
        for row in rows.values():
            self.db.execute("DELETE FROM v_cases WHERE case_id=?", (row["case_id"],))
        marks = ",".join("?" * len(COLUMNS))
        self.db.executemany(f"INSERT INTO v_cases ({','.join(COLUMNS)}) VALUES ({marks})",
                            [tuple(r[c] for c in COLUMNS) for r in rows.values()])

    def _version(self, row: dict[str, Any], position: int) -> None:
        """Close the complaint's current version and open one from this position."""
        self.db.execute("UPDATE v_complaint_versions SET valid_to=? WHERE case_id=? AND valid_to IS NULL",
                        (position, row["case_id"]))
        concluded = row["stage"] is None
        values = (row["case_id"], position, None, row["submitted_on"][:7], row["complaint_kind"], row["category"],
                  row["department"], int(concluded), int(concluded and row["late"] == 0),
                  int(row["outcome"] in UPHELD))
        self.db.execute(f"INSERT INTO v_complaint_versions ({','.join(VERSION_COLUMNS)}) "
                        f"VALUES ({','.join('?' * len(VERSION_COLUMNS))})", values)

    def _current(self, case_id: str) -> dict[str, Any]:
        return self.db.query("SELECT * FROM v_cases WHERE case_id=?", (case_id,))[0]

    @staticmethod
    def _submitted(kind: str, event: Any) -> dict[str, Any]:
        row = {
            "case_id": str(event.originator_id), "number": event.number, "kind": kind, "record_id": event.record_id,
            "record_kind": event.record_kind, "document_number": event.document_number,
            "credit_code": event.credit_code, "party_name": event.party_name, "department": event.department,
            "grounds": json.dumps(getattr(event, "grounds", []), ensure_ascii=False), "status": "submitted",
            "outcome": None, "submitted_on": event.on, "updated_on": event.on, "late": 0, "last_reason": None,
            "limits": json.dumps(event.limits, ensure_ascii=False, sort_keys=True),
            "category": getattr(event, "category", None), "subject_type": event.subject_type,
            "complaint_kind": getattr(event, "complaint_kind", None),
        }
        _enter_stage(row, event.on)
        return row

    @staticmethod
    def _step(row: dict[str, Any], event: Any) -> None:
        if row["due"] and event.on > row["due"]:
            row["late"] += 1
        row.update(status=event.status, updated_on=event.on, last_reason=event.reason or row["last_reason"],
                   outcome=getattr(event, "outcome", row["outcome"]),
                   department=getattr(event, "to_department", row["department"]))
        if type(event).restarts_clock:
            _enter_stage(row, event.on)

    # -- queries -----------------------------------------------------------------------------------------
    def _select(self, where: str, params: Sequence[Any], today: str, order: str) -> list[dict[str, Any]]:
        rows = self.db.query(
            f"SELECT c.*, CASE WHEN {overdue_sql()} THEN 1 ELSE 0 END AS overdue FROM v_cases c "
            f"WHERE {where} ORDER BY {order}", (today, *params))
        return [_decoded(r) for r in rows]

    def for_department(self, department: str, today: str, *, kind: str | None = None, open_only: bool = False,
                       overdue_only: bool = False) -> list[dict[str, Any]]:
        """A reviewer's list: overdue first, then by deadline, then newest."""
        where, params = ["c.department = ?"], [department]
        if kind:
            where.append("c.kind = ?")
            params.append(kind)
        if open_only:
            where.append("c.stage IS NOT NULL")
        if overdue_only:
            where.append(overdue_sql())
            params.append(today)
        return self._select(" AND ".join(where), params, today,
                            "overdue DESC, CASE WHEN c.due IS NULL THEN 1 ELSE 0 END, c.due, c.submitted_on DESC, c.number")

    def for_firm(self, credit_code: str, today: str) -> list[dict[str, Any]]:
        return self._select("c.credit_code = ?", [credit_code], today, "c.submitted_on DESC, c.number")

    def open_repairs(self, record_kinds: Sequence[str]) -> list[dict[str, Any]]:
        """Open repair applications about records of these kinds (number, record, submitted_on, department)."""
        marks = ",".join("?" * len(record_kinds))
        return self.db.query("SELECT c.number, c.record_id, c.submitted_on, c.department FROM v_cases c "
                             f"WHERE c.kind = ? AND c.stage IS NOT NULL AND c.record_kind IN ({marks}) ORDER BY c.number",
                             (REPAIR, *record_kinds))

    def by_number(self, number: str, today: str) -> dict[str, Any] | None:
        rows = self._select("c.number = ?", [number.strip().upper()], today, "c.number")
        return rows[0] if rows else None


def _enter_stage(row: dict[str, Any], on: str) -> None:
    stage, limit = workflows()[row["kind"]].stage(row["status"])
    limits = json.loads(row["limits"])
    row.update(stage=stage, since=on if stage else None, due=deadline(on, limits[limit]) if limit else None)


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    row["grounds"] = json.loads(row["grounds"] or "[]")
    row["limits"] = json.loads(row["limits"] or "{}")
    row["overdue"] = bool(row["overdue"])
    return row


def complaint_statistics(db: Any, today: str) -> list[dict[str, Any]]:
    """Complaints and reports per category and handling department: filed, open, concluded, on time, upheld.

    "On time" counts closed cases whose every stage was decided within its limit (`late` = 0);
    "overdue" counts open cases past their deadline today. No case is identified.
    """
    rows = db.query(
        "SELECT c.category, c.department, COUNT(*) AS filed, "
        "SUM(CASE WHEN c.stage IS NOT NULL THEN 1 ELSE 0 END) AS open, "
        f"SUM(CASE WHEN c.stage IS NOT NULL AND {overdue_sql()} THEN 1 ELSE 0 END) AS overdue, "
        "SUM(CASE WHEN c.stage IS NULL THEN 1 ELSE 0 END) AS closed, "
        "SUM(CASE WHEN c.stage IS NULL AND c.late = 0 THEN 1 ELSE 0 END) AS closed_on_time, "
        f"SUM(CASE WHEN c.outcome IN ({', '.join(repr(o) for o in UPHELD)}) THEN 1 ELSE 0 END) AS upheld "
        "FROM v_cases c WHERE c.kind = ? GROUP BY c.category, c.department ORDER BY c.category, c.department",
        (today, COMPLAINT_CASE))
    for row in rows:
        row["on_time_rate"] = round(row["closed_on_time"] / row["closed"], 3) if row["closed"] else None
    return rows


def open_quality_flag(db: Any, record_id: str) -> bool:
    """Whether a data-quality flag is open on this record (the record page says so, nothing more)."""
    rows = db.query("SELECT 1 AS x FROM v_cases WHERE kind = ? AND record_id = ? AND stage IS NOT NULL LIMIT 1",
                    (quality.QUALITY_FLAG, record_id))
    return bool(rows)
