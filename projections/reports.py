"""The content of a public credit report: what the profile pages show, gathered at one log position and day.

Nothing here decides what is public: the records come from `queries.entity` (the profile's
query, publicity by projections/public.py), the annual reports from their read model (public
parts only), the spot-check results and the product-quality facts (failed tests, recalls) from theirs, and the grade from the grading rules at the
same moment, shown only when schemas/grading.json's `publication.public` says so. The
content is pinned to a log position (the present is the position the read models reflect),
carries the Merkle tree's size and root at that position, and holds no display labels and
no wall-clock time, so that it is reproducible (domain/reports.py).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from domain import reports
from projections import inspection_results, queries, trace_queries
from projections.annual_reports import AnnualReportViews
from projections.db import Database
from projections.integrity import IntegrityLog
from projections.public import Moment, reflected_position
from projections.supervision import Rules, load_subjects

_ANNUAL_REPORT_KEYS = ("year", "form", "name", "revision", "filed_on", "revised_on", "late", "channel", "public")


@dataclass(frozen=True)
class ReportSources:
    """The read models a report is gathered from."""

    db: Database
    annual_reports: AnnualReportViews
    integrity: IntegrityLog
    rules: Rules
    grade_public: bool


def pinned(db: Database, moment: Moment) -> Moment:
    """The moment with its position fixed (the read models' own for the present)."""
    return Moment(reflected_position(db, moment), moment.today)


V1 = "gongshi-credit-report-v1"  # without product_quality (reports issued before traceability are rebuilt so)


def build(sources: ReportSources, key: str, moment: Moment, format: str | None = None) -> dict[str, Any]:
    """The report's content for an entity at a pinned moment, in `format` (default: the current one);
    NotPublic when it has no public profile."""
    assert moment.position is not None, "pin the moment first (pinned())"
    limit = reports.config()["max_items_per_section"]
    profile = queries.entity(sources.db, moment, key, None, queries.Paging(1, limit))
    entity = profile["entity"]
    records = {s["tab"]: {"total": s["total"], "items": s["items"]} for s in profile["sections"]}
    not_shown = ["expired", "repaired", "withdrawn", "unpublished", "private"]
    grade = _grade(sources, key, moment) if sources.grade_public else None
    if not sources.grade_public:
        not_shown.append("grade")
    if any(s["total"] > len(s["items"]) for s in records.values()):
        not_shown.append("truncated")
    format = format or reports.config()["format"]
    content = {
        "format": format,
        "subject": entity,
        "moment": {"position": moment.position, "today": moment.today},
        "log": sources.integrity.anchor(moment.position),
        "records": records,
        "annual_reports": [{k: r[k] for k in _ANNUAL_REPORT_KEYS} | {"position": r["valid_from"]}
                           for r in sources.annual_reports.of_entity(entity["entity_key"], moment)],
        "spot_checks": inspection_results.of_entity(sources.db, entity["entity_key"], moment),
        "grade": grade,
        "not_shown": not_shown,
    }
    if format != V1:
        content["product_quality"] = trace_queries.quality_of_entity(sources.db, entity["entity_key"], moment)
    return json.loads(reports.canonical(content))  # exactly what a verifier parses back (lists, str keys)


def _grade(sources: ReportSources, key: str, moment: Moment) -> dict[str, Any] | None:
    """The grade at the moment, by the model in force on its day (not the nightly table, which is "now" only)."""
    subject = load_subjects(sources.db, [key], moment).get(key)
    if subject is None:
        return None
    return sources.rules.grade(subject, dt.date.fromisoformat(moment.today)).as_dict()
