"""OpenAPI descriptions of the department scorecards (web/scorecards/pages.py)."""
from __future__ import annotations

from web.openapi import Docs, add, param, ref

DOCS: Docs = {}
_err = {"content": {"application/json": {"schema": ref("Error")}}}
add(DOCS, "/api/v1/scorecards", {"get": {
    "summary": "Every department's scorecard totals, ranked by the share of decisions public within 7 working days",
    "responses": {"200": {"description": "`departments`: rank, code, name and the figures"}}}})
add(DOCS, "/api/v1/scorecards/{code}", {"get": {
    "summary": "A department's scorecard per month: records, timeliness, corrections, withdrawals, objections "
               "upheld, cases on time, catalog coverage",
    "parameters": [param("code", "path", "The department's credit code or catalog key", {"type": "string"},
                         required=True)],
    "responses": {"200": {"description": "The scorecard"}, "404": {"description": "No such department", **_err}}}})
