"""OpenAPI descriptions of the complaint API (web/complaints): data, attached to their routes in web/app.py."""
from __future__ import annotations

from domain.complaints import categories, rules
from web.openapi import Docs, add, param, ref

DOCS: Docs = {}
_err = {"content": {"application/json": {"schema": ref("Error")}}}
_AUTH = "The handling department: `Authorization: Bearer <reviewer token>`."
_NUMBER = param("number", "path", "Case number, e.g. TS20261207-7K3Q9D.", {"type": "string"}, required=True)
_FILING = {"type": "object", "required": ["category", "subject_key", "facts"], "properties": {
    "kind": {"enum": list(rules()["kinds"]), "default": "complaint",
             "description": "complaint (投诉, needs a contact) or report (举报, may be anonymous)"},
    "category": {"enum": list(categories()), "description": "Decides the handling department (schemas/complaints.json)."},
    "subject_type": {"enum": [k for k, v in rules()["subjects"].items() if v["active"]], "default": "entity"},
    "subject_key": {"type": "string", "description": "The subject's unified social credit code."},
    "facts": {"type": "string", "maxLength": rules()["max_facts"]},
    "anonymous": {"type": "boolean"},
    "contact": {"type": "object", "description": "Seen by the handling department only; never public.",
                "properties": {k: {"type": "string"} for k in rules()["contact_fields"]}}}}

add(DOCS, "/api/v1/complaints", {
    "post": {"summary": "File a complaint or a report (投诉举报); no login",
             "description": "JSON, or a multipart form with `contact_name`, `contact_phone`, `contact_email` and "
                            "`evidence` files. Follow the case at `/api/v1/cases/{number}`. At most "
                            f"{rules()['rate_limit']['filings']} filings per client per {rules()['rate_limit']['minutes']} minutes.",
             "requestBody": {"content": {"application/json": {"schema": _FILING},
                                         "multipart/form-data": {"schema": {"type": "object"}}}},
             "responses": {"201": {"description": "Filed: the case number"},
                           "200": {"description": "The same filing is already open: its number (`linked`)"},
                           "404": {"description": "Unknown entity", **_err},
                           "413": {"description": "Files too large", **_err},
                           "415": {"description": "Not a PDF, JPEG or PNG by content", **_err},
                           "422": {"description": "A field at fault, named", **_err},
                           "429": {"description": "Too many filings from this client", **_err}}},
    "get": {"summary": "The handling department's complaints, overdue first", "description": _AUTH,
            "responses": {"200": {"description": "Cases"}, "401": {"description": "No token", **_err},
                          "403": {"description": "Not a department", **_err}}}})
add(DOCS, "/api/v1/complaints/{number}", {"get": {
    "summary": "One complaint in full, with the contact (the handling department only)", "description": _AUTH,
    "parameters": [_NUMBER], "responses": {"200": {"description": "The case"}, "403": {"description": "Another "
                                           "department's case", **_err}, "404": {"description": "No such case", **_err}}}})
add(DOCS, "/api/v1/complaints/{number}/{step}", {"post": {
    "summary": "A step by the handling department",
    "description": f"{_AUTH} Steps: acknowledge, accept, refuse (reason), transfer (reason, `to_department`), extend "
                   "(reason; once), conclude (reason, `outcome`: " + ", ".join(rules()["outcomes"]) + "), "
                   "flag_malicious (reason).",
    "parameters": [_NUMBER, param("step", "path", "The step.", {"type": "string"}, required=True)],
    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
        "reason": {"type": "string"}, "to_department": {"type": "string"}, "outcome": {"enum": list(rules()["outcomes"])}}}}}},
    "responses": {"200": {"description": "The case after the step"}, "403": {"description": "Another department's case",
                  **_err}, "409": {"description": "Not allowed in the case's state", **_err},
                  "422": {"description": "Missing reason or outcome, unknown department", **_err}}}})
add(DOCS, "/api/v1/complaints/statistics", {"get": {
    "summary": "Complaints and reports per category and handling department (public; no case identified)",
    "description": "filed, open, overdue today, closed, closed on time (every stage within its limit), upheld "
                   "(substantiated or partly), and the on-time rate of closed cases.",
    "responses": {"200": {"description": "Rows and totals"}}}})
