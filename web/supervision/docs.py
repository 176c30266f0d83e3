"""OpenAPI descriptions of the supervision API (web/supervision): data, attached to their routes in web/app.py."""
from __future__ import annotations

from web.openapi import AS_OF, AUTH, Docs, ERROR, add, get, path_param, query

DOCS: Docs = {}

add(DOCS, "/api/v1/check", {
    **get("May this entity receive this benefit? restricted / incentive / none, with measures and the records that "
           "triggered them (recorded in the log)", query("credit_code", "", True), query("measure", "A measure id or a "
           "business: procurement, subsidy, tendering, approval, ..."), AS_OF, auth=True),
    "post": {"summary": "The same for a batch: a JSON array of {credit_code, measure}", "description": AUTH,
             "responses": {"200": {"description": "One answer per question"}, "400": ERROR, "401": ERROR}}})
add(DOCS, "/api/v1/measures", get("The catalog of joint reward and punishment measures"))
add(DOCS, "/api/v1/grades/{code}", get("An entity's credit-risk grade with the indicators and records behind it "
                                               "(recorded read)", path_param("code"), AS_OF, auth=True))
add(DOCS, "/api/v1/warnings", get("Early warnings with their rules and records (recorded read)", auth=True))
add(DOCS, "/api/v1/inspections/draw", {"post": {
    "summary": "Draw a reproducible risk-graded inspection list (the seed is published with it)", "description": AUTH,
    "responses": {"200": {"description": "The list, its seed and the ratios per grade"}, "400": ERROR, "401": ERROR}}})
add(DOCS, "/api/v1/inspections/{draw_id}", get("A recorded draw, recomputed and checked", path_param("draw_id")))
add(DOCS, "/api/v1/statistics", get("Monthly counts by kind, district and department; grades; case turnaround"))
