"""The read model of annual reports: one row per report version, public parts only.

Rows carry the log positions between which they were current (`valid_from` inclusive,
`valid_to` exclusive), so the profile and the dataset answer "as of" like the records do.
The public part is decided by domain/annual_reports.public_view: a phone number or a
natural person's ID number never reaches this table.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from domain.annual_reports import AnnualReport, public_view
from projections.public import Moment, reflected_position, version_clause
from projections.queries import NotPublic
from projections.runner import Event
from projections.tracked import TrackedTables

COLUMNS = ("report_id", "credit_code", "year", "form", "name", "revision", "filed_on", "revised_on", "late",
           "channel", "public", "data", "valid_from", "valid_to")
#: The table's columns that are also columns of the open dataset (publishing/annual_report_fields.json).
DATASET_COLUMNS = ("report_id", "credit_code", "name", "year", "form", "filed_on", "revised_on", "late", "channel")
_INT = {"year", "revision", "late", "valid_from", "valid_to"}
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS v_annual_reports ("
    + ", ".join(f"{c} {'BIGINT' if c in _INT else 'TEXT'}" for c in COLUMNS)
    + ", PRIMARY KEY (report_id, valid_from))",
]
INDEXES = [
    "CREATE INDEX IF NOT EXISTS v_annual_reports_entity ON v_annual_reports (credit_code, valid_to)",
    "CREATE INDEX IF NOT EXISTS v_annual_reports_year ON v_annual_reports (year, valid_to)",
]


class AnnualReportViews(TrackedTables):
    name = "annual_report_views"
    layout = 1
    schema = SCHEMA
    indexes = INDEXES
    tables = ("v_annual_reports",)

    def write(self, events: Sequence[Event]) -> None:
        for position, ev in events:
            if isinstance(ev, AnnualReport.Filed):
                self._insert(position, str(ev.originator_id), ev.credit_code, ev.year, ev.form, ev.fields,
                             revision=0, filed_on=ev.filed_on, revised_on=None, late=ev.late, channel=ev.channel)
            elif isinstance(ev, AnnualReport.Revised):
                report_id = str(ev.originator_id)
                rows = self.db.query("SELECT * FROM v_annual_reports WHERE report_id=? AND valid_to IS NULL",
                                     (report_id,))
                if not rows:
                    continue
                old = rows[0]
                self.db.execute("UPDATE v_annual_reports SET valid_to=? WHERE report_id=? AND valid_to IS NULL",
                                (position, report_id))
                self._insert(position, report_id, old["credit_code"], old["year"], old["form"], ev.fields,
                             revision=old["revision"] + 1, filed_on=old["filed_on"], revised_on=ev.revised_on,
                             late=bool(old["late"]), channel=ev.channel)

    def _insert(self, position: int, report_id: str, credit_code: str, year: int, form: str,  # noqa: PLR0913
                fields: dict[str, Any], *, revision: int, filed_on: str, revised_on: str | None, late: bool,
                channel: str) -> None:
        view = public_view(form, fields)
        public = json.dumps(view, ensure_ascii=False, sort_keys=True, default=str)
        row = {"report_id": report_id, "credit_code": credit_code, "year": year, "form": form,
               "name": fields.get("name"), "revision": revision, "filed_on": filed_on, "revised_on": revised_on,
               "late": int(late), "channel": channel, "public": public, "valid_from": position, "valid_to": None}
        row["data"] = json.dumps({**{c: row[c] for c in DATASET_COLUMNS}, **dataset_row(view)}, ensure_ascii=False,
                                 sort_keys=True)
        self.db.execute(f"INSERT INTO v_annual_reports ({','.join(COLUMNS)}) VALUES ({','.join('?' * len(COLUMNS))})",
                        tuple(row[c] for c in COLUMNS))

    # -- queries -------------------------------------------------------------------------------------------
    def of_entity(self, credit_code: str, moment: Moment) -> list[dict[str, Any]]:
        """The entity's reports at the moment, newest year first."""
        clause, params = version_clause(moment)
        rows = self.db.query(f"SELECT * FROM v_annual_reports r WHERE r.credit_code=? AND {clause} "
                             "ORDER BY r.year DESC", (credit_code, *params))
        return [_decoded(r) for r in rows]

    def one(self, credit_code: str, year: int, moment: Moment) -> dict[str, Any] | None:
        clause, params = version_clause(moment)
        rows = self.db.query(f"SELECT * FROM v_annual_reports r WHERE r.credit_code=? AND r.year=? AND {clause}",
                             (credit_code, year, *params))
        return _decoded(rows[0]) if rows else None

    def profile(self, credit_code: str, moment: Moment, year: int | None = None) -> dict[str, Any]:
        """The entity's reports (or the one of `year`) with its name and the position answered at.

        NotPublic when the entity is unknown here, or has no report of `year`.
        """
        versions, vparams = version_clause(moment, "e")
        with self.db.snapshot():
            position = reflected_position(self.db, moment)
            entity = self.db.query(f"SELECT e.name, e.credit_code, e.registered_in_city FROM v_entities e "
                                   f"WHERE e.entity_key = ? AND {versions}", (credit_code, *vparams))
            reports = self.of_entity(credit_code, moment)
        if year is not None:
            reports = [r for r in reports if r["year"] == year]
        if not reports and (year is not None or not entity):
            raise NotPublic(credit_code)
        name = entity[0]["name"] if entity else reports[0]["name"]
        return {"position": position, "today": moment.today, "credit_code": credit_code, "name": name,
                "reports": reports}

    def filed(self, year: int, moment: Moment) -> dict[str, str]:
        """Credit code -> filing day of every report of `year` filed at the moment."""
        clause, params = version_clause(moment)
        rows = self.db.execute(f"SELECT r.credit_code, r.filed_on FROM v_annual_reports r WHERE r.year=? AND {clause}",
                               (year, *params))
        return {code: on for code, on in rows}


def dataset_row(view: dict[str, Any]) -> dict[str, Any]:
    """The flat public fields of the open dataset (publishing/annual_report_fields.json) from a public view."""
    row: dict[str, Any] = {k: view[k] for k in ("business_status", "employees", "members") if k in view}
    if "has_website" in view:
        row["has_website"] = int(bool(view["has_website"]))
    row["online_shops"] = [f"{s.get('name', '')}（{s.get('url', '')}）" for s in view.get("online_shops", [])]
    row.update(view.get("financials", {}))
    row.update({f"insured_{k}": v for k, v in view.get("social_insurance", {}).items()})
    row["withheld"] = view.get("withheld", [])
    return row


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["public"] = json.loads(row["public"])
    row.pop("data", None)
    row["late"] = bool(row["late"])
    return row
