"""OpenAPI descriptions of the annual-report API: filing (web/firms) and the public reads (web/portal).

The request body's schema is the form's own JSON Schema (schemas/annual_reports/), referenced,
so the document cannot drift from what the server validates.
"""
from __future__ import annotations

from typing import Any

from domain.annual_reports import form_schema, rules
from web.openapi import Docs, add, param, ref

DOCS: Docs = {}
SCHEMAS: dict[str, Any] = {f"AnnualReport_{form}": {k: v for k, v in form_schema(form).items() if k != "$schema"}
                           for form in rules()["forms"]}

_err = {"content": {"application/json": {"schema": ref("Error")}}}
_CODE = param("credit_code", "path", "Unified social credit code.", {"type": "string"}, required=True)
_AS_OF = param("as_of", "query", "A log position or an ISO 8601 date/time (a date means the end of that day).",
               {"type": "string"})
_PUBLIC = {"type": "object", "description": "One report's public part: never the phone or an ID number; items the "
           "firm chose not to publish are listed in `public.withheld`.", "properties": {
    "credit_code": {"type": "string"}, "year": {"type": "integer"}, "form": {"enum": list(rules()["forms"])},
    "form_title": {"type": "string"}, "revision": {"type": "integer"}, "filed_on": {"type": "string", "format": "date"},
    "revised_on": {"type": ["string", "null"], "format": "date"}, "late": {"type": "boolean"},
    "channel": {"enum": ["online", "paper"]}, "public": {"type": "object"}, "url": {"type": "string"}}}
SCHEMAS["AnnualReportPublic"] = _PUBLIC

add(DOCS, "/api/v1/annual-reports", {"post": {
    "summary": "File or revise an annual report (企业年度报告)",
    "description": (f"{rules()['window']['title']}; {rules()['late_filing_note']}. A firm files for its own credit "
                    "code with its browser session (send the session's CSRF token as `X-CSRF-Token`); the "
                    "registration department enters a paper report with its submitter token (`Authorization: "
                    "Bearer <token>`) and may give `filed_on`, the day it was received. `action`: `file` (default) "
                    "or `revise`. The form (enterprise, individual business 92…, farmers' cooperative 93…) follows "
                    "from the credit code. Amounts in 万元."),
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "oneOf": [ref(f"AnnualReport_{form}") for form in rules()["forms"]]}}}},
    "responses": {"201": {"description": "Filed", "content": {"application/json": {"schema": {"type": "object"}}}},
                  "200": {"description": "Revised (`changed` false when the content was already a version)"},
                  "401": {"description": "Not logged in / no token", **_err},
                  "403": {"description": "Another entity's report, not the registration department, or CSRF", **_err},
                  "404": {"description": "Revising a report that was never filed", **_err},
                  "409": {"description": "Filed already for that year (revise it), or the window closed", **_err},
                  "422": {"description": "A field at fault, named (year not ended, paid-in above subscribed, "
                                         "negative headcount…)", **_err}}}})
add(DOCS, "/api/v1/entities/{credit_code}/annual-reports", {"get": {
    "summary": "An entity's public annual reports by year (年报信息)", "parameters": [_CODE, _AS_OF],
    "responses": {"200": {"description": "The reports, newest year first", "content": {"application/json": {
        "schema": {"type": "object", "properties": {"reports": {"type": "array", "items": ref("AnnualReportPublic")}}}}}},
        "400": {"description": "Not a credit code", **_err}, "404": {"description": "Unknown entity", **_err}}}})
add(DOCS, "/api/v1/entities/{credit_code}/annual-reports/{year}", {"get": {
    "summary": "One annual report's public part, with when it was revised",
    "parameters": [_CODE, param("year", "path", "Report year.", {"type": "integer"}, required=True), _AS_OF],
    "responses": {"200": {"description": "The report", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"report": ref("AnnualReportPublic")}}}}},
        "400": {"description": "Bad year or code", **_err}, "404": {"description": "No report of that year", **_err}}}})
