"""What the deadline rules read (domain/deadlines.py): entities, reports filed, listings, applications, spot checks.

One snapshot of the read models, caught up before the job plans. Listings are read in every
status (a withdrawn automatic listing must not be decided again); whether one is still on
its list today is the one public rule of projections/public.py.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from domain.deadlines import Application, Facts, Inspected, Listing, Registered
from domain.records import LISTING_KINDS
from projections.annual_reports import AnnualReportViews
from projections.cases import CaseViews
from projections.db import Database
from projections.inspection_results import current_with_outcomes
from projections.public import Moment, on_list_clause


class DeadlineFacts:
    def __init__(self, db: Database, reports: AnnualReportViews, cases: CaseViews):
        self.db = db
        self.reports = reports
        self.cases = cases

    def gather(self, today: dt.date, years: Sequence[int], prefixes: Sequence[str],
               outcomes: Sequence[str] = ()) -> Facts:
        """The facts of `today`: entities whose credit code starts with one of `prefixes`, reports of `years`,
        current spot-check results with one of `outcomes`."""
        moment = Moment(None, today.isoformat())
        with self.db.snapshot():
            inspected = [Inspected(*row) for row in current_with_outcomes(self.db, outcomes, today.isoformat())]
            return Facts(self._entities(prefixes), {y: self.reports.filed(y, moment) for y in years},
                         self._listings(moment), self._applications(), inspected)

    def _entities(self, prefixes: Sequence[str]) -> list[Registered]:
        if not prefixes:
            return []
        marks = ",".join("?" * len(prefixes))
        rows = self.db.execute(
            "SELECT e.credit_code, e.name, e.established, e.status, e.legal_representative FROM v_entities e "
            f"WHERE e.valid_to IS NULL AND e.registered_in_city = 1 AND substr(e.credit_code, 1, 2) IN ({marks}) "
            "ORDER BY e.credit_code", tuple(prefixes))
        return [Registered(*row) for row in rows]

    def _listings(self, moment: Moment) -> list[Listing]:
        on_list, params = on_list_clause(moment)
        kinds = ",".join("?" * len(LISTING_KINDS))
        rows = self.db.execute(
            "SELECT r.record_id, r.kind, r.list_type, r.credit_code, r.party_name, r.document_number, r.authority_code, "
            f"r.decision_date, r.data, CASE WHEN r.status = 'active' AND {on_list} THEN 1 ELSE 0 END "
            f"FROM v_records r WHERE r.valid_to IS NULL AND r.kind IN ({kinds}) AND r.credit_code IS NOT NULL",
            (*params, *LISTING_KINDS))
        out = []
        for rid, kind, list_type, code, name, document, authority, decided, data, listed in rows:
            fields = json.loads(data)
            out.append(Listing(rid, kind, list_type, code, name or "", document, authority, decided, fields.get("cause"),
                               fields.get("rule_id"), fields.get("report_year"), bool(listed),
                               (fields.get("removal") or {}).get("document_number")))
        return out

    def _applications(self) -> list[Application]:
        return [Application(r["number"], r["record_id"], r["submitted_on"], r["department"])
                for r in self.cases.open_repairs(LISTING_KINDS)]
