"""OpenAPI descriptions of the case API (web/firms): data, attached to their routes in web/app.py."""
from __future__ import annotations

from typing import Any

from domain import objections
from domain.cases import OBJECTION, REPAIR, workflows
from web.openapi import Docs, add


def _describe() -> tuple[Docs, dict[str, Any]]:
    docs: Docs = {}
    ref = {"$ref": "#/components/schemas/Error"}
    err = {"content": {"application/json": {"schema": ref}}}
    errors = {"401": {"description": "Not logged in / no token", **err},
              "403": {"description": "Another firm's or another department's case; CSRF token missing", **err},
              "404": {"description": "No such case", **err},
              "409": {"description": "Not allowed in the case's state, or not eligible (reasons listed)", **err},
              "422": {"description": "Missing or invalid input (a reason, a ground, a correction)", **err}}
    uploads = {"411": {"description": "Upload without Content-Length", **err},
               "413": {"description": "File or request too large", **err},
               "415": {"description": "Not a PDF, JPEG or PNG by its content", **err}}
    case = {"description": "The case", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}}}
    number = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"},
              "description": "Case number, e.g. XF20261125-7K3Q9D (repair) or YY20261125-7K3Q9D (objection)."}
    auth = ("Reviewers: `Authorization: Bearer <reviewer token>`. Firms: their browser session cookie; writes "
            "also send the session's CSRF token as `X-CSRF-Token`.")
    schemas = {"Case": {"type": "object", "description": "A repair or objection case (dates in China time).",
                                     "properties": {
        "number": {"type": "string"}, "kind": {"enum": [REPAIR, OBJECTION]}, "status": {"type": "string"},
        "status_label": {"type": "string"}, "open": {"type": "boolean"}, "record_id": {"type": "string"},
        "document_number": {"type": "string"}, "credit_code": {"type": "string"}, "department": {"type": "string"},
        "submitted_on": {"type": "string", "format": "date"},
        "due": {"type": ["string", "null"], "format": "date",
                "description": "Last working day for the department's next decision (schemas/case_limits.json)."},
        "overdue": {"type": "boolean"}, "grounds": {"type": "array", "items": {"enum": list(objections.GROUNDS)}},
        "outcome": {"type": ["string", "null"], "enum": [*objections.OUTCOMES, None]},
        "materials": {"type": "array", "items": {"type": "object"}},
        "steps": {"type": "array", "items": {"type": "object", "properties": {
            "status": {"type": "string"}, "on": {"type": "string"}, "reason": {"type": "string"}}}}}}}
    form = {"multipart/form-data": {"schema": {"type": "object"}}}
    for kind, steps, fields in (
        (REPAIR, list(workflows()[REPAIR].steps), "record_id, statement, proof (files), commitment (files)"),
        (OBJECTION, list(workflows()[OBJECTION].steps),
         f"record_id, grounds (one or more of {', '.join(objections.GROUNDS)}), statement, evidence (files)"),
    ):
        base = f"/api/v1/{kind}s"
        add(docs, base, {
            "get": {"summary": f"{kind.title()} cases: a reviewer's department's, or the logged-in firm's",
                    "description": auth, "parameters": [
                        {"name": "open", "in": "query", "schema": {"enum": ["1"]}, "description": "Only open cases."},
                        {"name": "overdue", "in": "query", "schema": {"enum": ["1"]}, "description": "Only overdue."}],
                    "responses": {"200": {"description": "Cases with deadlines and overdue flags"}, **errors}},
            "post": {"summary": f"A firm opens a {kind} case", "description": f"{auth} Form fields: {fields}.",
                     "requestBody": {"content": form}, "responses": {"201": case, **errors, **uploads}}})
        add(docs, f"{base}/{{number}}", {"get": {"summary": f"One {kind} case in full", "description": auth,
                                                         "parameters": [number], "responses": {"200": case, **errors}}})
        add(docs, f"{base}/{{number}}/{{step}}", {"post": {
            "summary": f"A step on a {kind} case", "description": f"{auth} Body (JSON or form): `reason`"
            + ("; for `resolve` also `outcome` and, for corrected/supplemented, `fields` (the changed fields)."
               if kind == OBJECTION else "."),
            "parameters": [number, {"name": "step", "in": "path", "required": True, "schema": {"enum": steps}}],
            "responses": {"200": case, **errors}}})
    add(docs, "/api/v1/repairs/eligibility/{record_id}", {"get": {
        "summary": "Whether the logged-in firm may apply for repair of its record today, and why not",
        "parameters": [{"name": "record_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "`eligible` and `reasons` (code, message_zh, message_en)"}, **errors}}})
    add(docs, "/api/v1/cases/{number}", {"get": {
        "summary": "Anyone with a case number: its status and dates only", "parameters": [number],
        "responses": {"200": {"description": "Status, stage, deadline"}, "404": {"description": "No such case", **err}}}})
    return docs, schemas


DOCS, SCHEMAS = _describe()
