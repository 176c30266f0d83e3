"""OpenAPI descriptions of the submission, log, audit and supervision endpoints.

The portal's and the case endpoints register themselves beside their handlers; these
are registered here so that /api/v1/openapi.json covers every JSON endpoint.
"""
from __future__ import annotations

from web import openapi

_ERR = {"description": "Error: `error.code`, `message_zh`, `message_en`"}
_AUTH = "Needs `Authorization: Bearer <token>`."


def _q(name: str, description: str, required: bool = False, kind: str = "string") -> dict:
    return {"name": name, "in": "query", "required": required, "schema": {"type": kind}, "description": description}


def _p(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _get(summary: str, *parameters: dict, auth: bool = False) -> dict:
    return {"get": {"summary": summary, "description": _AUTH if auth else "Public.", "parameters": list(parameters),
                    "responses": {"200": {"description": "JSON"}, "400": _ERR, "401": _ERR, "403": _ERR, "404": _ERR}}}


AS_OF = _q("as_of", "A log position or an ISO 8601 date/time: answer as the platform would have then.")

openapi.register("/api/v1/health", _get("Store kind and last log position"))
openapi.register("/api/v1/catalog", _get("The data collection catalog: departments and the one source of each kind"))
openapi.register("/api/v1/records", {"post": {
    "summary": "A department submits records, corrections (action=correct) and withdrawals (action=withdraw)",
    "description": f"{_AUTH} (a submitter token). Body: one record or an array of at most 10,000 (10 MiB); each item "
                   "has `kind` and the fields of schemas/kinds/KIND.json. Accepted items of a batch are stored in one "
                   "transaction and are visible in every read model when the answer is sent.",
    "requestBody": {"content": {"application/json": {"schema": {"oneOf": [{"type": "object"}, {"type": "array"}]}}}},
    "responses": {"200": {"description": "All accepted or already present; per item: status, record_id, position"},
                  "207": {"description": "Some items rejected, each with field errors in Chinese and English"},
                  "422": {"description": "Every item rejected"}, "400": _ERR, "401": _ERR, "403": _ERR,
                  "413": {"description": "Body or batch too large; `error.limit` names the limit"}}}})
openapi.register("/api/v1/log/key", _get("The log-signing public key (PEM)"))
openapi.register("/api/v1/log/head", _get("The latest signed tree head"))
openapi.register("/api/v1/log/heads", _get("Every signed tree head kept", _q("start", "", kind="integer"),
                                           _q("limit", "", kind="integer")))
openapi.register("/api/v1/log/entries", _get(
    "Log entries by 0-based leaf index (end exclusive, at most 1,000); auditor tokens unless published",
    _q("start", "", True, "integer"), _q("end", "", True, "integer"), auth=True))
openapi.register("/api/v1/log/leaf", _get("The leaf index of a log position", _q("position", "", True, "integer")))
openapi.register("/api/v1/log/proof/inclusion", _get(
    "RFC 9162 inclusion proof", _q("index", "", True, "integer"), _q("tree_size", "", True, "integer")))
openapi.register("/api/v1/log/proof/consistency", _get(
    "RFC 9162 consistency proof", _q("first", "", True, "integer"), _q("second", "", True, "integer")))
openapi.register("/api/v1/audit/events", _get("The raw log in order, with private fields (auditors; recorded)",
                                              _q("start", "", kind="integer"), _q("limit", "", kind="integer"), auth=True))
openapi.register("/api/v1/audit/reads", _get("Privileged reads recorded in the log (auditors)", auth=True))
openapi.register("/api/v1/audit/records/{record_id}/history", _get(
    "Every event of a record with private fields, positions and leaf indices (auditors; recorded)",
    _p("record_id"), auth=True))
openapi.register("/api/v1/audit/entities/{code}/history", _get(
    "Every event about an entity (auditors; recorded)", _p("code"), auth=True))
openapi.register("/api/v1/check", {
    **_get("May this entity receive this benefit? restricted / incentive / none, with measures and the records that "
           "triggered them (recorded in the log)", _q("credit_code", "", True), _q("measure", "A measure id or a "
           "business: procurement, subsidy, tendering, approval, ..."), AS_OF, auth=True),
    "post": {"summary": "The same for a batch: a JSON array of {credit_code, measure}", "description": _AUTH,
             "responses": {"200": {"description": "One answer per question"}, "400": _ERR, "401": _ERR}}})
openapi.register("/api/v1/measures", _get("The catalog of joint reward and punishment measures"))
openapi.register("/api/v1/grades/{code}", _get("An entity's credit-risk grade with the indicators and records behind it "
                                               "(recorded read)", _p("code"), AS_OF, auth=True))
openapi.register("/api/v1/warnings", _get("Early warnings with their rules and records (recorded read)", auth=True))
openapi.register("/api/v1/inspections/draw", {"post": {
    "summary": "Draw a reproducible risk-graded inspection list (the seed is published with it)", "description": _AUTH,
    "responses": {"200": {"description": "The list, its seed and the ratios per grade"}, "400": _ERR, "401": _ERR}}})
openapi.register("/api/v1/inspections/{draw_id}", _get("A recorded draw, recomputed and checked", _p("draw_id")))
openapi.register("/api/v1/statistics", _get("Monthly counts by kind, district and department; grades; case turnaround"))
