"""OpenAPI descriptions of the supervision API (web/supervision): data, attached to their routes in web/app.py."""
from __future__ import annotations

from domain.inspections import outcomes
from schemas.supervision import inspection_results
from web.openapi import AS_OF, AUTH, Docs, ERROR, add, get, path_param, query

DOCS: Docs = {}
_OUTCOMES = "; ".join(f"`{k}` {o['zh']} ({o['en']})" for k, o in outcomes().items())
_RESULT = {"type": "object", "additionalProperties": False, "required": ["outcome", "inspected_on"], "properties": {
    "credit_code": {"type": "string", "description": "The drawn entity's credit code (or `entity_key`)"},
    "entity_key": {"type": "string", "description": "The drawn entity's key, as in the draw's list"},
    "outcome": {"enum": list(outcomes()), "description": _OUTCOMES},
    "inspected_on": {"type": "string", "format": "date", "description": "Not before the draw's day, not after today"},
    "note": {"type": "string", "maxLength": inspection_results()["note_max_length"], "description": "Public"},
    "reason": {"type": "string", "maxLength": inspection_results()["reason_max_length"],
               "description": "Required to change a result already recorded (a correction, public)"}}}

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
add(DOCS, "/api/v1/inspections/{draw_id}", get("A recorded draw, recomputed and checked, with the results recorded "
                                                "so far", path_param("draw_id"), auth=True))
add(DOCS, "/api/v1/inspections/{draw_id}/results", {"post": {
    "summary": "Record spot-check results (抽查检查结果) of drawn entities: all of the batch or none",
    "description": f"{AUTH} A submitter or reviewer token of the department that drew the list (any department "
                   "when the draw has none). Posting a recorded result again changes nothing; changing one needs a "
                   "`reason` (a correction). The results are public on the entities' profiles and in the open "
                   "dataset spot-check-results.",
    "parameters": [path_param("draw_id")],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["results"], "properties": {"results": {"type": "array", "minItems": 1,
                                                                              "items": _RESULT}}}}}},
    "responses": {"200": {"description": "`changed`, the log `position` (null when nothing changed) and the "
                                         "draw's results"},
                  "400": ERROR, "401": ERROR,
                  "403": {"description": "Another department's draw, or a token of no department"},
                  "404": {"description": "No such draw"},
                  "409": {"description": "A recorded result changed without a `reason`"},
                  "413": ERROR,
                  "422": {"description": "A field at fault, named (`results[0].credit_code` not drawn, "
                                         "`results[0].outcome` unknown, `results[0].inspected_on` before the draw "
                                         "or after today...)"}}}})
add(DOCS, "/api/v1/statistics", get("Monthly counts by kind, district and department; grades; case turnaround"))
