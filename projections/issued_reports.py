"""The read model of issued credit reports (v_reports): what /reports/{number} looks up, and the issuing counts.

One row per `CreditReport.Issued` event: the number, the entity, the position and day the
content reflects, the purpose, the document (json, pdf) and the signed issue object. The
content is not kept: verification rebuilds it from the log and compares the digest.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from domain.reports import CreditReport
from projections.runner import Event
from projections.tracked import TrackedTables

COLUMNS = ("number", "entity_key", "credit_code", "name", "position", "today", "purpose", "document", "issued_at",
           "issued_on", "content_sha256", "issue", "log_position")
_INT = {"position", "log_position"}
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS v_reports ("
    + ", ".join(f"{c} {'BIGINT' if c in _INT else 'TEXT'}" for c in COLUMNS)
    + ", PRIMARY KEY (number))",
]
INDEXES = ["CREATE INDEX IF NOT EXISTS v_reports_issued ON v_reports (issued_on, purpose)"]


class IssuedReports(TrackedTables):
    name = "issued_reports"
    layout = 1
    schema = SCHEMA
    indexes = INDEXES
    tables = ("v_reports",)

    def write(self, events: Sequence[Event]) -> None:
        rows = []
        for position, ev in events:
            if isinstance(ev, CreditReport.Issued):
                issue = ev.issue
                rows.append((ev.number, ev.entity_key, ev.credit_code, ev.name, ev.position, ev.today,
                             issue.get("purpose"), issue["document"], issue["issued_at"], issue["issued_at"][:10],
                             issue["content_sha256"], json.dumps(issue, ensure_ascii=False, sort_keys=True), position))
        if rows:
            self.db.executemany(f"INSERT INTO v_reports ({','.join(COLUMNS)}) VALUES ({','.join('?' * len(COLUMNS))}) "
                                "ON CONFLICT (number) DO NOTHING", rows)

    # -- queries -------------------------------------------------------------------------------------------
    def one(self, number: str) -> dict[str, Any] | None:
        rows = self.db.query("SELECT * FROM v_reports WHERE number = ?", (number,))
        if not rows:
            return None
        row = rows[0]
        row["issue"] = json.loads(row["issue"])
        return row

    def counts(self) -> dict[str, Any]:
        """Reports issued per month and purpose ("" when none was stated), and per document: counts only."""
        by_month: dict[str, dict[str, int]] = {}
        for month, purpose, count in self.db.execute(
                "SELECT substr(issued_on, 1, 7), purpose, COUNT(*) FROM v_reports GROUP BY 1, 2 ORDER BY 1, 2"):
            by_month.setdefault(month, {})[purpose or ""] = int(count)
        documents = dict(self.db.execute("SELECT document, COUNT(*) FROM v_reports GROUP BY document ORDER BY 1"))
        total = sum(sum(v.values()) for v in by_month.values())
        return {"total": total, "by_month": by_month, "by_document": {k: int(v) for k, v in documents.items()}}
