"""OpenAPI descriptions of the investment-project API (web/projects/)."""
from __future__ import annotations

from web.openapi import Docs, add, param, ref

DOCS: Docs = {}
_err = {"content": {"application/json": {"schema": ref("Error")}}}
_code = param("code", "path", "The project code (year-district-industry-type-sequence)", {"type": "string"},
              required=True)

add(DOCS, "/api/v1/projects", {
    "get": {"summary": "Time to decision per month and department against the limits (public)",
            "responses": {"200": {"description": "The statistics"}}},
    "post": {"summary": "The applicant submits an investment project once (its firm session, X-CSRF-Token)",
             "description": "`name`, `project_type` (approval, verification, filing), `industry`, `district`, "
                            "`amount` (万元, a number), `description`, `commitment` (asks for approval by "
                            "commitment). The items and their departments follow from schemas/projects.json.",
             "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
             "responses": {"201": {"description": "The project's public status with its code"},
                           "401": {"description": "Not logged in as a firm", **_err},
                           "403": {"description": "No CSRF token", **_err},
                           "422": {"description": "A field at fault (`amount` not a number, `industry`...); "
                                                  "`credit_code` another firm's", **_err}}}})
add(DOCS, "/api/v1/projects/{code}", {"get": {
    "summary": "A project's status by code, without login: stage, items decided and when, dates; opinions only "
               "once it is decided",
    "parameters": [_code],
    "responses": {"200": {"description": "The status"}, "404": {"description": "No such project (`code`)", **_err}}}})
add(DOCS, "/api/v1/projects/{code}/{step}", {"post": {
    "summary": "A department's step: `accept` or `refuse` (the window), `opine` (a reviewing department)",
    "description": "A reviewer token. `accept` runs the credit check (business `investment`) and refuses the project "
                   "when a measure forbids new projects, naming it; `opine` takes `item`, `opinion` (approve, "
                   "approve_with_conditions, refuse, needs_material) and `reason`, and is checked again for credit.",
    "parameters": [_code, param("step", "path", "accept | refuse | opine", {"type": "string"}, required=True)],
    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
        "item": {"type": "string"}, "opinion": {"type": "string"}, "reason": {"type": "string"}}}}}},
    "responses": {"200": {"description": "The project's status after the step, with the credit check's gist"},
                  "403": {"description": "Another department's item (`item`) or not the window (`case`)", **_err},
                  "404": {"description": "No such project or step", **_err},
                  "409": {"description": "Not accepted yet, already decided, or the item already has its opinion",
                          **_err},
                  "422": {"description": "A field at fault (`opinion`, `reason`)", **_err}}}})
