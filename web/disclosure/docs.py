"""OpenAPI descriptions of the department disclosure pages and model contracts (web/disclosure/)."""
from __future__ import annotations

from web.openapi import Docs, add, param, ref

DOCS: Docs = {}
_err = {"content": {"application/json": {"schema": ref("Error")}}}
_code = param("code", "path", "The department's unified social credit code (or its catalog key, e.g. SCJG)",
              {"type": "string"}, required=True)
_body = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["title", "text"], "properties": {
        "title": {"type": "string", "maxLength": 80}, "text": {"type": "string", "maxLength": 20000,
                                                               "description": "Markdown or plain text; no HTML"},
        "note": {"type": "string", "maxLength": 200, "description": "what changed"}}}}}}
_saved = {"201": {"description": "A new version: key, version, position"},
          "200": {"description": "The same title and text as the current version: nothing saved"},
          "401": {"description": "No reviewer token", **_err},
          "422": {"description": "A field at fault (`title`, `text` with HTML, `slug`, `kind`)", **_err}}

add(DOCS, "/api/v1/departments", {"get": {
    "summary": "Every department of the catalog with its published decisions of the last year and the share "
               "published within 7 working days",
    "responses": {"200": {"description": "The departments"}}}})
add(DOCS, "/api/v1/departments/{code}", {"get": {
    "summary": "A department's disclosure page (部门公开): duties, procedures, service commitments (Markdown), the "
               "decisions it published per month with timeliness, spot checks, complaint statistics, catalog items",
    "parameters": [_code],
    "responses": {"200": {"description": "The page's data"},
                  "404": {"description": "Not a department of the catalog (`code`)", **_err}}}})
add(DOCS, "/api/v1/departments/{code}/documents/{kind}", {"post": {
    "summary": "A department saves a new version of its duties, procedures or service commitments",
    "description": "Its reviewer token (`Authorization: Bearer`); another department's code is 403 naming `code`.",
    "parameters": [_code, param("kind", "path", "duties | procedures | commitments", {"type": "string"},
                                required=True)],
    "requestBody": _body, "responses": {**_saved, "403": {"description": "Another department's page", **_err}}}})
add(DOCS, "/api/v1/contracts/{slug}", {
    "get": {"summary": "A model contract for online trade (网络交易合同示范文本), its current or any version",
            "parameters": [param("slug", "path", "The contract's id", {"type": "string"}, required=True),
                           param("version", "query", "A version number (default: the current one)",
                                 {"type": "integer", "minimum": 1})],
            "responses": {"200": {"description": "The text (Markdown) and the list of versions"},
                          "404": {"description": "No such contract (`slug`) or version (`version`)", **_err}}},
    "post": {"summary": "The market regulator publishes or revises a model contract (its reviewer token)",
             "parameters": [param("slug", "path", "The contract's id", {"type": "string"}, required=True)],
             "requestBody": _body,
             "responses": {**_saved, "403": {"description": "Not the market regulator", **_err}}}})
