"""OpenAPI descriptions of the online-presences and mark API (web/online/): data, attached to their routes."""
from __future__ import annotations

from typing import Any

import schemas
from web.openapi import Docs, add, param, ref

DOCS: Docs = {}
SCHEMAS: dict[str, Any] = {"Online_presence": {k: v for k, v in schemas.load("online/presence.json").items()
                                               if k != "$schema"}}
_err = {"content": {"application/json": {"schema": ref("Error")}}}
_mark = param("mark_id", "path", "The mark's id (LZ + 12 base32 characters)", {"type": "string",
              "pattern": "^LZ[A-Z2-7]{12}$"}, required=True)

add(DOCS, "/api/v1/online-presences", {"post": {
    "summary": "A firm declares one of its online shops or websites, or a platform submits its merchant list",
    "description": "A firm: its browser session (/firm/login), `X-CSRF-Token`, one presence (`type` `platform_shop` "
                   "with `platform`, `shop_id`, `name`; or `website` with `domain`, `icp_number`, `name`); IDN domains "
                   "are stored in punycode. A platform: `Authorization: Bearer <platform token>` and `{\"rows\": "
                   "[...]}`, each row a shop of its own platform with the operator's `credit_code` or an `exempt` "
                   "basis (no personal data is accepted); all rows or none. A shop declared by its operator and "
                   "listed by its platform is confirmed and gets its mark; a website is confirmed on declaration.",
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
        ref("Online_presence"), {"type": "object", "required": ["rows"],
                                 "properties": {"rows": {"type": "array", "items": ref("Online_presence")}}}]}}}},
    "responses": {"201": {"description": "The presence (firm) or the number of rows saved (platform)"},
                  "401": {"description": "Neither a firm session nor a platform token", **_err},
                  "403": {"description": "A row of another platform (`rows[i].platform`), no CSRF, not a platform "
                                         "operator", **_err},
                  "404": {"description": "An unknown operator (`credit_code`, `rows[i].credit_code`)", **_err},
                  "409": {"description": "The shop or domain is held by another credit code: refused, and flagged "
                                         "for the market regulator", **_err},
                  "422": {"description": "A field at fault, by path (`rows[3].shop_id`, `domain`, `icp_number`)",
                          **_err}}}})
add(DOCS, "/api/v1/online-presences/contested", {"get": {
    "summary": "Presences claimed by two credit codes, for the market regulator (a reviewer token)",
    "responses": {"200": {"description": "The contested presences"}, "401": {"description": "No token", **_err}}}})
add(DOCS, "/api/v1/entities/{credit_code}/online-presences", {"get": {
    "summary": "An operator's online presences with their status and mark (public)",
    "parameters": [param("credit_code", "path", "Unified social credit code", {"type": "string"}, required=True)],
    "responses": {"200": {"description": "The presences"},
                  "400": {"description": "Not a valid credit code", **_err}}}})
add(DOCS, "/api/v1/marks/{mark_id}", {"get": {
    "summary": "An electronic licence mark (亮照): the signed statement, its validity now, the referrer check",
    "description": "`mark` is the signed statement (operator, credit code, the exact shop or domain, day, issuer); "
                   "`signature` an Ed25519 signature with the log's key over `gongshi-mark-v1\\n` + canonical JSON "
                   "of `mark` (`python -m gongshi_verify mark FILE.json`). `status` is `valid` or `suspended` with "
                   "`reasons`, read from the operator's current records; `referrer` compares the Referer header "
                   "with the shop or site (`match`, `platform`, `other`, `none`).",
    "parameters": [_mark],
    "responses": {"200": {"description": "The mark"},
                  "404": {"description": "Not a mark issued here (`mark_id`)", **_err}}}})
add(DOCS, "/api/v1/certifications/{credit_code}", {"get": {
    "summary": "Trusted-site certification (可信认证) of an online operator: each criterion, passed or not, and why",
    "description": "Criteria are data (schemas/online.json `certification`): registration active, the licences its "
                   "shops' categories need, no serious dishonesty listing, no penalty for false advertising or "
                   "counterfeits in the last N months, last year's annual report filed. Evaluated from the current "
                   "records at each read (cached by log position and day).",
    "parameters": [param("credit_code", "path", "Unified social credit code", {"type": "string"}, required=True)],
    "responses": {"200": {"description": "`certified` and `criteria`"},
                  "400": {"description": "Not a valid credit code", **_err},
                  "404": {"description": "No confirmed online shop or website", **_err}}}})
add(DOCS, "/api/v1/online-presences/{presence_key}/settle", {"post": {
    "summary": "The market regulator settles a contested presence: who operates it (its reviewer token)",
    "description": "`credit_code` (a registered operator) and `reason`. The presence is confirmed for that operator "
                   "and a mark issued to it; a mark issued to another operator before becomes void.",
    "parameters": [param("presence_key", "path", "shop:{platform}:{shop_id} or site:{domain}", {"type": "string"},
                         required=True)],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {
        "credit_code": {"type": "string"}, "reason": {"type": "string"}}}}}},
    "responses": {"200": {"description": "The presence after the decision"},
                  "403": {"description": "Not the market regulator (`department`)", **_err},
                  "404": {"description": "No such presence or operator", **_err},
                  "409": {"description": "The presence is not contested", **_err},
                  "422": {"description": "No reason, or an invalid credit code", **_err}}}})
