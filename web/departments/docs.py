"""OpenAPI descriptions of the departments' submissions (web/departments): data, attached to their routes in web/app.py."""
from __future__ import annotations

from web.openapi import AUTH, Docs, ERROR, add

DOCS: Docs = {}

add(DOCS, "/api/v1/records", {"post": {
    "summary": "A department submits records, corrections (action=correct) and withdrawals (action=withdraw)",
    "description": f"{AUTH} (a submitter token). Body: one record or an array of at most 10,000 (10 MiB); each item "
                   "has `kind` and the fields of schemas/kinds/KIND.json. Accepted items of a batch are stored in one "
                   "transaction and are visible in every read model when the answer is sent.",
    "requestBody": {"content": {"application/json": {"schema": {"oneOf": [{"type": "object"}, {"type": "array"}]}}}},
    "responses": {"200": {"description": "All accepted or already present; per item: status, record_id, position"},
                  "207": {"description": "Some items rejected, each with field errors in Chinese and English"},
                  "422": {"description": "Every item rejected"}, "400": ERROR, "401": ERROR, "403": ERROR,
                  "413": {"description": "Body or batch too large; `error.limit` names the limit"}}}})
