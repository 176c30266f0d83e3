"""OpenAPI descriptions of the traceability API: the writes (web/trace/api.py) and the public reads (web/trace/public.py).

The request bodies' schemas are the files of schemas/trace/, referenced, so the document cannot
drift from what the server validates.
"""
from __future__ import annotations

from typing import Any

import schemas
from domain.trace import rules
from web.openapi import Docs, add, param, ref

DOCS: Docs = {}
SCHEMAS: dict[str, Any] = {f"Trace_{name}": {k: v for k, v in schemas.load(f"trace/{name}.json").items() if k != "$schema"}
                           for name in ("batch", "movement", "test", "order")}

_err = {"content": {"application/json": {"schema": ref("Error")}}}
_CODE = param("code", "path", f"Traceability code: {rules()['code']['note']}", {"type": "string"}, required=True)
_WHO = ("The entity records with its firm browser session (send `X-CSRF-Token`); a department records with its "
        "submitter token (`Authorization: Bearer <token>`) on an entity's behalf.")

add(DOCS, "/api/v1/trace/batches", {"post": {
    "summary": "Register a product batch and get its traceability code (产品批次登记)",
    "description": f"{_WHO} The same registrant and batch number again returns the code issued (200, `changed` false).",
    "requestBody": {"required": True, "content": {"application/json": {"schema": ref("Trace_batch")}}},
    "responses": {"201": {"description": "Registered: `batch.code`, `batch.printed`, `batch.url`"},
                  "200": {"description": "Registered before with this content"},
                  "401": {"description": "Not logged in / no token", **_err},
                  "403": {"description": "Another entity's batch, a department that does not regulate the category, "
                                         "or CSRF", **_err},
                  "404": {"description": "The registrant is not an entity here", **_err},
                  "409": {"description": "The batch number is registered with other content", **_err},
                  "422": {"description": "A field at fault, named (quantity, produced_on in the future…)", **_err}}}})
add(DOCS, "/api/v1/trace/batches/{code}/events", {"post": {
    "summary": "Record a step on a batch: a movement, a test result, a recall or a sales halt",
    "description": (f"{_WHO} `step`: shipped, received, split, processed, sold, returned, destroyed (the entity; "
                    "quantities are conserved: nobody ships more than it holds), tested (a testing department), "
                    "recalled or halted (the category's regulator; it reaches every batch split or processed from "
                    "this one)."),
    "parameters": [_CODE],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
        ref("Trace_movement"), ref("Trace_test"), ref("Trace_order")]}}}},
    "responses": {"201": {"description": "Stored; `created` lists new sub-batches or the processed output"},
                  "200": {"description": "Already stored (the same order again)"},
                  "401": {"description": "Not logged in / no token", **_err},
                  "403": {"description": "Acting for another entity, or not the regulating department", **_err},
                  "404": {"description": "No batch has this code (`suggestions`: issued codes one typing error away)",
                          **_err},
                  "409": {"description": "More than held, a shipment not addressed to the receiver, goods under a "
                                         "recall", **_err},
                  "422": {"description": "A field at fault, named; a mistyped code (check character)", **_err}}}})
_PUBLIC = {"200": {"description": "JSON"}, "400": {"description": "A mistyped code (`suggestions`)", **_err},
           "404": {"description": "No batch has this code (`suggestions`)", **_err}}
add(DOCS, "/api/v1/trace/{code}", {"get": {
    "summary": "A batch's chain: product, origin, every step with the entity's name and credit status, tests, "
               "orders (its own and its parents'), parents and sub-batches (public)",
    "parameters": [_CODE], "responses": _PUBLIC}})
add(DOCS, "/api/v1/trace/{code}/downstream", {"get": {
    "summary": "Recall fan-out: every holder of the batch and of the batches made from it, what each received, "
               "did and holds now (public)",
    "parameters": [_CODE], "responses": _PUBLIC}})
