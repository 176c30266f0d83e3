"""OpenAPI descriptions of the data-quality flags (web/quality/api.py)."""
from __future__ import annotations

from web.openapi import Docs, add, param, ref

DOCS: Docs = {}
_err = {"content": {"application/json": {"schema": ref("Error")}}}

add(DOCS, "/api/v1/quality-flags", {
    "post": {"summary": "Anyone flags a data problem in a public record; its source department answers within the "
                        "limit (数据质量反馈)",
             "description": "`record_id`, `problem` (wrong, outdated, duplicated, incomplete, wrong_entity), `note`. "
                            "No login needed (the firm concerned with its session, a department with its reviewer "
                            "token); rate limited per client. The same flag while one is open answers 200 with "
                            "`linked`. The answer is a case: follow it at /api/v1/cases/{number}; the department "
                            "answers by its steps (correct, uphold, refer).",
             "requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "type": "object", "required": ["record_id", "problem", "note"], "properties": {
                     "record_id": {"type": "string", "format": "uuid"}, "problem": {"type": "string"},
                     "note": {"type": "string", "maxLength": 1000}}}}}},
             "responses": {"201": {"description": "The flag's case number"},
                           "200": {"description": "The same flag is already open: its number, `linked`"},
                           "404": {"description": "No public record (`record_id`)", **_err},
                           "422": {"description": "A field at fault (`note` missing, `problem`)", **_err},
                           "429": {"description": "Too many flags from this client", **_err}}},
    "get": {"summary": "A department's flags (its reviewer token), overdue first",
            "parameters": [param("department", "query", "The department's code (its own only)", {"type": "string"}),
                           param("open", "query", "1: open flags only", {"type": "string"})],
            "responses": {"200": {"description": "The flags (status, due, record)"},
                          "403": {"description": "Another department (`department`)", **_err}}}})
add(DOCS, "/api/v1/quality-flags/{number}/{step}", {"post": {
    "summary": "The source department answers a flag: `correct` (after correcting the record), `uphold` (correct "
               "as published), `refer` (to the objection procedure; only a flag by the entity concerned)",
    "parameters": [param("number", "path", "The flag's case number", {"type": "string"}, required=True),
                   param("step", "path", "correct | uphold | refer", {"type": "string"}, required=True)],
    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["reason"],
                                                                "properties": {"reason": {"type": "string"}}}}}},
    "responses": {"200": {"description": "The flag after the answer"},
                  "403": {"description": "Another department's flag", **_err},
                  "409": {"description": "Already answered, or `refer` on a flag the public raised", **_err},
                  "422": {"description": "No reason", **_err}}}})
