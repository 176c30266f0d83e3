"""OpenAPI descriptions of the credit report's endpoints (web/portal/reports.py): data, attached in web/app.py."""
from __future__ import annotations

from typing import Any

from domain import reports
from web.openapi import Docs, param, ref
from web.portal.docs import AS_OF

DOCS: Docs = {}
SCHEMAS: dict[str, Any] = {}

CODE = param("credit_code", "path", "The unified social credit code (or an individual business's registration "
             "number).", {"type": "string"}, required=True)
NUMBER = param("number", "path", "The report number printed on the report and in its QR code.",
               {"type": "string", "examples": ["BXXY20261125K7Q2M9XA3D"]}, required=True)
PURPOSE = param("purpose", "query", "The requester's stated purpose (printed on the report and recorded; optional).",
                {"enum": list(reports.purposes())})
_ERROR = {"description": "Bad input (names the field, in Chinese and English; with a search suggestion for an "
                         "unknown or invalid code) or nothing public here",
          "content": {"application/json": {"schema": ref("Error")}}}

SCHEMAS["CreditReport"] = {
    "type": "object", "description": "A signed public credit report. `report` is the content: SHA-256 of its "
    "canonical JSON (sorted keys, no spaces, UTF-8) is `issue.content_sha256`; `signature` is Ed25519 by the log key "
    "over b'gongshi-credit-report-v1\\n' + canonical JSON of `issue`; `log.consistency_path` proves the tree of "
    "`report.log` is a prefix of the signed head `log.head`. Check it offline with "
    "`python -m gongshi_verify report FILE.json`.",
    "required": ["report", "issue", "signature", "log", "public_key"],
    "properties": {
        "report": {"type": "object", "properties": {
            "format": {"const": reports.config()["format"]}, "subject": {"type": "object"},
            "moment": {"type": "object", "properties": {"position": {"type": "integer"}, "today": {"type": "string"}}},
            "log": {"type": "object", "properties": {"tree_size": {"type": "integer"},
                                                     "root_hash": {"type": "string"}}},
            "records": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                "total": {"type": "integer"}, "items": {"type": "array", "items": ref("Record")}}}},
            "annual_reports": {"type": "array"}, "spot_checks": {"type": "array"},
            "grade": {"type": ["object", "null"], "description": "Only when schemas/grading.json publishes grades."},
            "not_shown": {"type": "array", "items": {"type": "string"}}}},
        "issue": {"type": "object", "properties": {
            "number": {"type": "string"}, "issued_at": {"type": "string", "format": "date-time"},
            "purpose": {"type": ["string", "null"]}, "content_sha256": {"type": "string"},
            "parts": {"type": "object"}, "document": {"enum": ["json", "pdf"]},
            "pdf_sha256": {"type": ["string", "null"]}}},
        "signature": {"type": "object", "properties": {"algorithm": {"const": "Ed25519"}, "key_id": {"type": "string"},
                                                       "value": {"type": "string"}}},
        "log": {"type": "object", "properties": {"head": {"type": "object"},
                                                 "consistency_path": {"type": "array", "items": {"type": "string"}}}},
        "public_key": {"type": "string"}, "verify_url": {"type": "string"},
        "not_shown_explained": {"type": "array", "items": {"type": "object"}},
        "content_matches": {"type": "boolean", "description": "Verification only: the content rebuilt from the log "
                                                              "has the issued digest."}}}


def _op(summary: str, description: str, parameters: list[dict[str, Any]], media: str, schema: Any) -> dict[str, Any]:
    return {"get": {"summary": summary, "description": description, "parameters": parameters,
                    "responses": {"200": {"description": summary, "content": {media: {"schema": schema}}},
                                  "400": _ERROR, "404": _ERROR}}}


DOCS["/api/v1/entities/{credit_code}/report"] = _op(
    "Issue a signed public credit report (JSON)", "Public. Each call issues a new numbered report, recorded in the "
    "log with its purpose (the issuing counts are public statistics).", [CODE, AS_OF, PURPOSE], "application/json",
    ref("CreditReport"))
DOCS["/entities/{credit_code}/report.pdf"] = _op(
    "Issue a signed public credit report (PDF)", "Public. A4, Chinese fonts embedded, a QR code to /reports/{number}; "
    "the signed report JSON is attached as report.json, and the signature covers the whole file.",
    [CODE, AS_OF, PURPOSE], "application/pdf", {"type": "string", "format": "binary"})
DOCS["/entities/{credit_code}/report"] = _op(
    "The credit report's preview (HTML)", "Public. Issues nothing; its form downloads the PDF.",
    [CODE, AS_OF, PURPOSE], "text/html", {"type": "string"})
DOCS["/api/v1/reports/{number}"] = _op(
    "Verify an issued report (JSON)", "Public. The report rebuilt from the log at its position and day, re-signed "
    "(Ed25519 is deterministic, so the signature is the issued one), with `content_matches`.", [NUMBER],
    "application/json", ref("CreditReport"))
DOCS["/reports/{number}"] = _op("Verify an issued report (HTML)", "Public. The QR code of every report links here.",
                                [NUMBER], "text/html", {"type": "string"})
