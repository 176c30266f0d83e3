"""OpenAPI descriptions of the 信易贷 API (web/finance/api.py): data, attached to their routes in web/app.py."""
from __future__ import annotations

from typing import Any

import schemas
from web.openapi import Docs, add, param, ref

DOCS: Docs = {}
SCHEMAS: dict[str, Any] = {f"Lending_{name}": {k: v for k, v in schemas.load(f"lending/{name}.json").items()
                                                if k != "$schema"} for name in ("consent", "product", "application")}
_err = {"content": {"application/json": {"schema": ref("Error")}}}
_FIRM = "The firm's browser session (log in at /firm/login); writes carry its CSRF token as `X-CSRF-Token`."
_LENDER = ("A registered lender: `Authorization: Bearer <lender token>` (`gongshi lender token`) or its browser "
           "session (/lender/login).")


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": ref(f"Lending_{name}")}}}


def _id(name: str, what: str) -> dict[str, Any]:
    return param(name, "path", what, {"type": "string", "format": "uuid"}, required=True)


add(DOCS, "/api/v1/consents", {
    "post": {"summary": "A firm grants a registered lender consent to read its fuller credit report (信用信息查询授权)",
             "description": f"{_FIRM} A purpose (schemas/lending.json) and a period of at most a year [U]; the firm "
                            "grants for itself only.",
             "requestBody": _body("consent"),
             "responses": {"201": {"description": "Granted: the consent"},
                           "401": {"description": "Not logged in as a firm", **_err},
                           "403": {"description": "A consent for another firm's code (`credit_code`), or no CSRF", **_err},
                           "404": {"description": "Not a registered lender (`lender_code`)", **_err},
                           "422": {"description": "A field at fault: `valid_until` past the maximum, a past "
                                                  "`valid_from`, an unknown `purpose`", **_err}}},
    "get": {"summary": "A firm's consents with every read of its report and every refused attempt; a lender's consents",
            "description": f"{_FIRM} Or: {_LENDER}",
            "responses": {"200": {"description": "Consents (status on today: granted, pending, expired, revoked) "
                                                 "and, for a firm, the reads"},
                          "401": {"description": "Not logged in", **_err}}}})
add(DOCS, "/api/v1/consents/{consent_id}/revoke", {"post": {
    "summary": "The firm revokes a consent (at any time; reads after it are refused)", "description": _FIRM,
    "parameters": [_id("consent_id", "The consent.")],
    "responses": {"200": {"description": "Revoked"}, "403": {"description": "Another firm's consent", **_err},
                  "404": {"description": "No such consent", **_err},
                  "409": {"description": "Already revoked or expired", **_err}}}})
add(DOCS, "/api/v1/lender/reports/{credit_code}", {"get": {
    "summary": "The fuller credit report for a lender with the firm's consent (信易贷)",
    "description": f"{_LENDER} Everything the public report holds, plus the records past publicity the rules allow "
                   "a lender to see (schemas/lending.json `lender_report.beyond_public`), the credit-risk grade and the "
                   "joint-punishment check for financing. Every read is recorded in the log before it is answered, "
                   "with the consent it relied on; a refused one too, and the firm sees both. The answer is signed "
                   "(Ed25519, the log's key) over the `read` object.",
    "parameters": [param("credit_code", "path", "The firm's credit code.", {"type": "string"}, required=True),
                   param("consent", "query", "A consent id to rely on (default: the firm's consent in force).",
                         {"type": "string"})],
    "responses": {"200": {"description": "The lender report, the consent, the recorded read and its signature"},
                  "401": {"description": "No lender token or session", **_err},
                  "403": {"description": "No consent in force (`consent`: no_consent, expired, revoked, not_yet, "
                                         "other_firm, other_lender), or not a registered lender; nothing disclosed",
                          **_err},
                  "404": {"description": "No credit information about the code", **_err},
                  "422": {"description": "An invalid `credit_code`", **_err}}}})
add(DOCS, "/api/v1/finance/products", {"get": {
    "summary": "Credit loan products on offer (信用贷款产品), public",
    "responses": {"200": {"description": "Products: amount, term and rate ranges, eligibility"}}}})
add(DOCS, "/api/v1/lender/products", {"post": {
    "summary": "A lender publishes a product (the same `code` again changes it)", "description": _LENDER,
    "requestBody": _body("product"),
    "responses": {"201": {"description": "Published"}, "200": {"description": "Changed"},
                  "401": {"description": "No lender token or session", **_err},
                  "403": {"description": "Not a registered lender", **_err},
                  "422": {"description": "A field at fault, by path (`amount.min`)", **_err}}}})
add(DOCS, "/api/v1/lender/products/{product_id}/withdraw", {"post": {
    "summary": "A lender withdraws its product from /finance/products", "description": _LENDER,
    "parameters": [_id("product_id", "The product.")],
    "responses": {"200": {"description": "Withdrawn"}, "403": {"description": "Another lender's product", **_err},
                  "404": {"description": "No such product", **_err}, "409": {"description": "Withdrawn already", **_err}}}})
add(DOCS, "/api/v1/finance/eligibility", {"get": {
    "summary": "A firm: every product on offer, whether it is eligible, and why not", "description": _FIRM,
    "responses": {"200": {"description": "Products with `eligible` and `reasons`"},
                  "401": {"description": "Not logged in as a firm", **_err}}}})
add(DOCS, "/api/v1/loan-applications", {
    "post": {"summary": "A firm applies for a product; the application carries a consent to its lender",
             "description": f"{_FIRM} The consent (purpose and months in schemas/lending.json) is saved with the "
                            "application in one transaction.",
             "requestBody": _body("application"),
             "responses": {"201": {"description": "Applied: the application and its consent"},
                           "401": {"description": "Not logged in as a firm", **_err},
                           "409": {"description": "Not eligible (`eligibility`: each unmet condition)", **_err},
                           "422": {"description": "Unknown product, amount or term outside the product's ranges",
                                   **_err}}},
    "get": {"summary": "A firm's applications, or those made to a lender", "description": f"{_FIRM} Or: {_LENDER}",
            "responses": {"200": {"description": "Applications"}, "401": {"description": "Not logged in", **_err}}}})
add(DOCS, "/api/v1/loan-applications/{application_id}/decide", {"post": {
    "summary": "The lender decides an application: granted (with the amount) or declined", "description": _LENDER,
    "parameters": [_id("application_id", "The application.")],
    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["decision"],
                    "properties": {"decision": {"enum": ["granted", "declined"]}, "amount": {"type": "number"},
                                   "note": {"type": "string"}}}}}},
    "responses": {"200": {"description": "Decided"}, "403": {"description": "Made to another lender", **_err},
                  "404": {"description": "No such application", **_err},
                  "409": {"description": "Already decided", **_err},
                  "422": {"description": "A bad `decision` or `amount`", **_err}}}})
