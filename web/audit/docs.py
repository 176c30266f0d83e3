"""OpenAPI descriptions of the log and the auditors' API (web/audit): data, attached to their routes in web/app.py."""
from __future__ import annotations

from web.openapi import Docs, add, get, path_param, query

DOCS: Docs = {}

add(DOCS, "/api/v1/log/key", get("The log-signing public key (PEM)"))
add(DOCS, "/api/v1/log/head", get("The latest signed tree head"))
add(DOCS, "/api/v1/log/heads", get("Every signed tree head kept", query("start", "", kind="integer"),
                                           query("limit", "", kind="integer")))
add(DOCS, "/api/v1/log/entries", get(
    "Log entries by 0-based leaf index (end exclusive, at most 1,000); auditor tokens unless published",
    query("start", "", True, "integer"), query("end", "", True, "integer"), auth=True))
add(DOCS, "/api/v1/log/leaf", get("The leaf index of a log position", query("position", "", True, "integer")))
add(DOCS, "/api/v1/log/proof/inclusion", get(
    "RFC 9162 inclusion proof", query("index", "", True, "integer"), query("tree_size", "", True, "integer")))
add(DOCS, "/api/v1/log/proof/consistency", get(
    "RFC 9162 consistency proof", query("first", "", True, "integer"), query("second", "", True, "integer")))
add(DOCS, "/api/v1/audit/events", get("The raw log in order, with private fields (auditors; recorded)",
                                              query("start", "", kind="integer"), query("limit", "", kind="integer"), auth=True))
add(DOCS, "/api/v1/audit/reads", get("Privileged reads recorded in the log (auditors)", auth=True))
add(DOCS, "/api/v1/audit/records/{record_id}/history", get(
    "Every event of a record with private fields, positions and leaf indices (auditors; recorded)",
    path_param("record_id"), auth=True))
add(DOCS, "/api/v1/audit/entities/{code}/history", get(
    "Every event about an entity (auditors; recorded)", path_param("code"), auth=True))
