"""OpenAPI descriptions of the public reads (web/portal): data, attached to their routes in web/app.py."""
from __future__ import annotations

from typing import Any

from domain.records import DECISION_KINDS
from web.openapi import Docs, add, get, param, ref

DOCS: Docs = {}
SCHEMAS: dict[str, Any] = {}

AS_OF = param("as_of", "query", "A log position (integer), or an ISO 8601 date or date-time (China time when no "
              "zone is given; a date means the end of that day). The answer shows the view as it was then: the log "
              "up to that position, with the publicity rules applied on that day (for a position, the day it was "
              "recorded).",
              {"type": "string", "examples": ["1200", "2026-11-24", "2026-11-24T10:00:00+08:00"]})
PAGE = param("page", "query", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1})
PAGE_SIZE = param("page_size", "query", "Items per page.", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20})


def _ok(schema: str, description: str) -> dict[str, Any]:
    error = {"description": "Bad input or nothing public here", "content": {"application/json": {"schema": ref("Error")}}}
    return {"200": {"description": description, "content": {"application/json": {"schema": ref(schema)}}},
            "400": error, "404": error}


_MOMENT = {
    "position": {"type": "integer", "description": "The log position this answer reflects."},
    "today": {"type": "string", "format": "date", "description": "The day the publicity rules were applied on."},
    "as_of": {"type": ["string", "null"]},
}
_PAGED = {"total": {"type": "integer"}, "page": {"type": "integer"}, "pages": {"type": "integer"},
          "page_size": {"type": "integer"},
          "links": {"type": "object", "properties": {"prev": {"type": ["string", "null"]}, "next": {"type": ["string", "null"]}}}}

SCHEMAS["Error"] = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message_zh", "message_en"],
    "properties": {"code": {"type": "string"}, "message_zh": {"type": "string"}, "message_en": {"type": "string"},
                   "field": {"type": "string"}}}}}
SCHEMAS["Record"] = {
    "type": "object", "description": "One public record version. Only public fields: never ID or phone numbers.",
    "properties": {
        "id": {"type": "string", "format": "uuid"}, "kind": {"type": "string"}, "kind_label": {"type": "string"},
        "version": {"type": "integer"}, "party_name": {"type": "string"}, "credit_code": {"type": ["string", "null"]},
        "entity_key": {"type": ["string", "null"]}, "document_number": {"type": "string"},
        "authority": {"type": "string"}, "decision_date": {"type": "string", "format": "date"},
        "district": {"type": ["string", "null"]}, "public_from": {"type": "string", "format": "date"},
        "public_until": {"type": ["string", "null"], "format": "date",
                         "description": "The first day the record is no longer public (exclusive)."},
        "publicity": {"type": "object", "description": "A penalty's publicity window and rule set."},
        "listing": {"type": "object", "properties": {"on_list": {"type": "boolean"},
                                                     "removed_date": {"type": ["string", "null"]},
                                                     "list_until": {"type": ["string", "null"]}}},
        "objection": {"type": "boolean", "description": "An objection is under review (异议处理中)."},
        "fields": {"type": "object", "description": "All public fields of the record kind (schemas/kinds/)."},
        "url": {"type": "string"}}}
SCHEMAS["Summary"] = {"type": "object", "properties": {
    **_MOMENT, "entities": {"type": "integer"},
    "by_kind": {"type": "array", "items": {"type": "object"}}, "by_district": {"type": "array", "items": {"type": "object"}},
    "latest": {"type": "array", "items": ref("Record")}}}
SCHEMAS["SearchResult"] = {"type": "object", "properties": {
    **_MOMENT, **_PAGED, "query": {"type": "string"}, "source": {"enum": ["index", "history"]},
    "total_is_estimate": {"type": "boolean"}, "notes": {"type": "array", "items": {"type": "string"}},
    "hits": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "doc_type": {"enum": ["record", "entity"]}, "kind": {"type": "string"},
        "title": {"type": "string"}, "title_html": {"type": "string"}, "snippet_html": {"type": "string"},
        "decision_date": {"type": "string"}, "credit_code": {"type": "string"}, "url": {"type": "string"}}}},
    "facets": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "object", "properties": {
        "value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"}}}}}}}
SCHEMAS["EntityProfile"] = {"type": "object", "properties": {
    **_MOMENT, "entity": {"type": "object", "description": "Registration data; the legal representative's name, "
                                                           "never an ID number."},
    "tab": {"type": "string"},
    "sections": {"type": "array", "items": {"type": "object", "properties": {
        "tab": {"type": "string"}, "kind": {"type": "string"}, **_PAGED, "items": {"type": "array", "items": ref("Record")}}}}}}
SCHEMAS["RecordPage"] = {"type": "object", "properties": {
    **_MOMENT, "record": ref("Record"),
    "versions": {"type": "array", "items": {"type": "object", "properties": {
        "version": {"type": "integer"},
        "event": {"enum": ["recorded", "corrected", "removed", "repair_revoked", "objection_opened", "objection_closed"]},
        "reason": {"type": ["string", "null"]}, "position": {"type": "integer"},
        "changed": {"type": "array", "items": {"type": "string"}}}}}}}
SCHEMAS["ListPage"] = {"type": "object", "properties": {
    **_MOMENT, **_PAGED, "list": {"type": "string"}, "filters": {"type": "object"},
    "items": {"type": "array", "items": ref("Record")}}}

add(DOCS, "/api/v1/summary", {"get": {
    "summary": "Home page data: counts by kind and district, the latest disclosures", "parameters": [AS_OF],
    "responses": _ok("Summary", "Counts and latest disclosures")}})
add(DOCS, "/api/v1/search", {"get": {
    "summary": "Full-text search of public records and entities (Chinese partial names, codes, document numbers)",
    "parameters": [
        param("q", "query", "The query. Empty with a filter lists everything that matches the filter.", {"type": "string"}),
        param("kind", "query", "Record kind, or `entity`.", {"enum": [*DECISION_KINDS, "entity"]}),
        param("department", "query", "Credit code of the source department.", {"type": "string"}),
        param("district", "query", "6-digit division code, e.g. 210504.", {"type": "string"}),
        param("year", "query", "Year of the decision.", {"type": "integer"}),
        param("category", "query", "Entity category (企业, 个体工商户, ...).", {"type": "string"}),
        param("sort", "query", "Order of hits.", {"enum": ["relevance", "newest"], "default": "relevance"}),
        PAGE, PAGE_SIZE, AS_OF],
    "responses": _ok("SearchResult", "A page of hits and facet counts over all matches")}})
add(DOCS, "/api/v1/entities/{credit_code}", {"get": {
    "summary": "An entity's credit profile (信用档案)",
    "parameters": [
        param("credit_code", "path", "Unified social credit code, or registration number of an individual business.",
               {"type": "string"}, required=True),
        param("tab", "query", "The section `page` applies to (others show their first page).",
               {"enum": ["licenses", "penalties", "commitments", "anomaly", "dishonesty", "red"]}),
        PAGE, PAGE_SIZE, AS_OF],
    "responses": _ok("EntityProfile", "Registration data and one section per record kind")}})
add(DOCS, "/api/v1/records/{id}", {"get": {
    "summary": "One public record with its publicity window and version history",
    "parameters": [param("id", "path", "Record id.", {"type": "string", "format": "uuid"}, required=True), AS_OF],
    "responses": {**_ok("RecordPage", "The current version and the history of corrections"),
                  "410": {"description": "Withdrawn", "content": {"application/json": {"schema": ref("Error")}}}}}})
add(DOCS, "/api/v1/lists/{list}", {"get": {
    "summary": "The red list, the serious-dishonesty list or the business-anomaly list, with history",
    "parameters": [
        param("list", "path", "Which list.", {"enum": ["red", "dishonesty", "anomaly"]}, required=True),
        param("status", "query", "current: on the list; removed: removed or expired; all: history.",
               {"enum": ["current", "removed", "all"], "default": "current"}),
        param("list_type", "query", "List type (红名单类型 / 名单类型).", {"type": "string"}),
        param("district", "query", "6-digit division code.", {"type": "string"}),
        param("year", "query", "Year of listing.", {"type": "integer"}),
        param("q", "query", "Part of the name, or the start of the credit code.", {"type": "string"}),
        PAGE, PAGE_SIZE, AS_OF],
    "responses": _ok("ListPage", "A page of list entries")}})
add(DOCS, "/api/v1/health", get("Store kind and last log position"))
add(DOCS, "/api/v1/catalog", get("The data collection catalog: departments and the one source of each kind"))
add(DOCS, "/api/v1/agencies", {"get": {
    "summary": "Credit-service agencies on file (信用服务机构): type, regulator, status",
    "parameters": [param("agency_type", "query", "Narrow to one type (征信机构, 信用评级机构...).", {"type": "string"}),
                   AS_OF],
    "responses": {"200": {"description": "The agencies"}, "400": {"description": "Bad parameter",
                  "content": {"application/json": {"schema": ref("Error")}}}}}})
add(DOCS, "/api/v1/agencies/{credit_code}", {"get": {
    "summary": "One agency's credit file: filings, practitioners (names and roles only), code-of-conduct "
               "commitments and their fulfilment, upheld complaints, market exit",
    "parameters": [param("credit_code", "path", "Unified social credit code.", {"type": "string"}, required=True),
                   AS_OF],
    "responses": _ok("Record", "The agency's file")}})
