"""/agencies and /agencies/{code}: the credit-service agency registry and each agency's file, with JSON twins."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request

import schemas
from domain import complaints
from projections import agencies as queries
from web import labels, params
from web.portal import answers
from web.portal.api import json_endpoint, load_at_moment
from web.portal.pages import page_endpoint
from web.render import link

TYPES = tuple(schemas.kind_schema(queries.KIND)["properties"]["agency_type"]["enum"])


def _decorate(request: Request, item: dict[str, Any]) -> dict[str, Any]:
    item["url"] = link(request, f"/agencies/{item['credit_code']}")
    item["entity_url"] = link(request, f"/entities/{item['credit_code']}")
    item["department_name"] = labels.departments().get(item["department"] or "", item["authority"])
    return item


async def load_agencies(request: Request) -> dict[str, Any]:
    agency_type = params.choice(request.query_params, "agency_type", TYPES, None, "机构类型")
    data = await load_at_moment(request, lambda p, m: queries.agencies(p.views_db, m, agency_type))
    data["agencies"] = [_decorate(request, a) for a in data["agencies"]]
    data.update(types=TYPES, agency_type=agency_type)
    return data


async def load_agency(request: Request) -> dict[str, Any]:
    code = params.entity_key(request.path_params["code"])
    data = await load_at_moment(request, lambda p, m: queries.agency(p.views_db, m, code))
    _decorate(request, data["agency"])
    outcomes, categories = complaints.rules()["outcomes"], complaints.categories()
    for c in data["upheld_complaints"]:
        c["outcome_label"] = outcomes[c["outcome"]]["zh"]
        c["category_label"] = categories.get(c["category"], {}).get("zh", c["category"])
        c["department_name"] = labels.departments().get(c["department"], c["department"])
    data["complaint_url"] = link(request, "/complaints", keep_as_of=False, subject_key=code, kind="complaint")
    return data


agencies_answer = answers.cached(load_agencies)
agency_answer = answers.cached(load_agency)
agencies = json_endpoint(agencies_answer)
agency = json_endpoint(agency_answer)
agencies_page = page_endpoint("agencies.html", agencies_answer)
agency_page = page_endpoint("agency.html", agency_answer)
