"""OpenAPI descriptions of the contribution API (web/contributors): data, attached to their routes in web/app.py."""
from __future__ import annotations

import schemas
from web.openapi import Docs, add, param, ref

DOCS: Docs = {}
_err = {"content": {"application/json": {"schema": ref("Error")}}}
_AUTH = ("A registered contributor: `Authorization: Bearer <contributor token>` (`gongshi contributor token`) or its "
         "browser session; the verifying department: a reviewer token.")
_SCHEMA = {k: v for k, v in schemas.load("contribution.json").items() if not k.startswith("$")}
_NUMBER = param("number", "path", "Case number, e.g. SH20261125-7K3Q9D.", {"type": "string"}, required=True)

add(DOCS, "/api/v1/contributions", {
    "post": {"summary": "Report credit information from society (社会信用信息) about a market entity",
             "description": f"{_AUTH} JSON as schemas/contribution.json, or a multipart form with the same fields "
                            "(`source_type`, `source_title`, `source_url`, `source_published_on` flat) and `evidence` "
                            "files. The category decides the verifying department. Nothing is public before the "
                            "department confirms it.",
             "requestBody": {"content": {"application/json": {"schema": _SCHEMA},
                                         "multipart/form-data": {"schema": {"type": "object"}}}},
             "responses": {"201": {"description": "Reported: the case number"},
                           "401": {"description": "No contributor token or session", **_err},
                           "403": {"description": "Not a registered contributor, or suspended", **_err},
                           "404": {"description": "Unknown entity (`credit_code`)", **_err},
                           "409": {"description": "The same report is pending or confirmed (`source`)", **_err},
                           "413": {"description": "Files too large", **_err},
                           "415": {"description": "Not a PDF, JPEG or PNG by content", **_err},
                           "422": {"description": "A field at fault, named by path (`source.title`)", **_err}}},
    "get": {"summary": "The contributor's own reports, or the department's reports to verify (overdue first)",
            "description": _AUTH, "responses": {"200": {"description": "Reports with their status"},
                                                "401": {"description": "No token or session", **_err}}}})
add(DOCS, "/api/v1/contributions/{number}", {"get": {
    "summary": "One report in full (its contributor and the verifying department only)", "description": _AUTH,
    "parameters": [_NUMBER], "responses": {"200": {"description": "The report and its case"},
                                           "403": {"description": "Not yours to see", **_err},
                                           "404": {"description": "No such report", **_err}}}})
add(DOCS, "/api/v1/contributions/{number}/{step}", {"post": {
    "summary": "The verifying department's decision: confirm (public as society-sourced) or refuse (auditors only)",
    "description": "A reviewer token of the department the category names. `confirm` takes an optional `reason` "
                   "(the verification note, public with the record); `refuse` needs a `reason` (never public).",
    "parameters": [_NUMBER, param("step", "path", "confirm or refuse.", {"enum": ["confirm", "refuse"]},
                                  required=True)],
    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
        "reason": {"type": "string"}}}}}},
    "responses": {"200": {"description": "The report after the decision"},
                  "403": {"description": "Another department's report", **_err},
                  "409": {"description": "Already decided", **_err},
                  "422": {"description": "A refusal without a reason", **_err}}}})
add(DOCS, "/api/v1/contributors", {"get": {
    "summary": "The registered contributors with their public track records",
    "description": "submitted, pending, confirmed, refused, withdrawn (confirmed, later withdrawn after an objection) "
                   "and the confirmed rate of decided reports; never a report's content.",
    "responses": {"200": {"description": "Contributors"}}}})
add(DOCS, "/api/v1/contributors/{credit_code}", {"get": {
    "summary": "One contributor's track record",
    "parameters": [param("credit_code", "path", "The contributor's credit code.", {"type": "string"}, required=True)],
    "responses": {"200": {"description": "The contributor"}, "404": {"description": "Not registered", **_err}}}})
add(DOCS, "/api/v1/audit/contributions", {"get": {
    "summary": "Refused contributions with their content and reasons (auditor tokens; the read is recorded)",
    "responses": {"200": {"description": "Refused reports"}, "401": {"description": "No token", **_err},
                  "403": {"description": "Not an auditor", **_err}}}})
