"""The public side of investment projects: /projects (look a code up; time to decision per department against
the limits), /projects/{code} and /api/v1/projects/{code} (the stage, which items are decided and when, dates;
opinions only once the project is decided), /api/v1/projects (the statistics). No login; cached by position."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import schemas
from domain.cases import normalise_number, workflows
from domain.projects import PROJECT, rules
from projections import projects as views
from projections.public import Moment
from web.params import PublicError
from web.portal import answers
from web.portal.api import json_endpoint
from web.portal.pages import page_endpoint

DECIDED = ("approved", "approved_with_conditions", "refused", "not_accepted")


def _departments() -> dict[str, str]:
    return {d["code"]: d["name"] for d in schemas.catalog()["departments"]}


def public_view(row: dict[str, Any]) -> dict[str, Any]:
    """What anyone may see of a project: never an opinion or a reason before the decision, never the credit check."""
    decided = row["status"] in DECIDED
    names = _departments()
    items = [{"item": i["item"], "label": rules()["items"][i["item"]]["zh"], "department": i["department"],
              "department_name": names.get(i["department"], i["department"]), "working_days": i["working_days"],
              "decided": i["decided_on"] is not None, "decided_on": i["decided_on"],
              **({"opinion": i["opinion"], "opinion_label": rules()["opinions"][i["opinion"]]["zh"],
                  "reason": i["reason"]} if decided and i["opinion"] else {})} for i in row["items"]]
    labels = workflows()[PROJECT].status_labels
    return {"number": row["number"], "name": row["name"], "applicant": row["applicant"],
            "credit_code": row["credit_code"], "project_type": row["project_type"],
            "project_type_label": rules()["types"][row["project_type"]]["zh"],
            "industry_label": rules()["industries"][row["industry"]]["zh"],
            "district_label": schemas.glossary()["districts"].get(row["district"], row["district"]),
            "amount": row["amount"], "status": row["status"], "status_label": labels[row["status"]],
            "by_commitment": bool(row["by_commitment"]), "submitted_on": row["submitted_on"],
            "accepted_on": row["accepted_on"], "decided_on": row["decided_on"], "items": items,
            "items_total": row["items_total"], "items_decided": row["items_decided"], "decided": decided}


async def load_project(request: Request) -> dict[str, Any]:
    number = normalise_number(request.path_params["code"])

    def read(platform: Any, moment: Moment) -> dict[str, Any]:
        found = views.project(platform.views_db, number)
        if found is None:
            raise PublicError(404, "unknown_project", f"没有代码为 {number[:40]} 的投资项目，请核对项目代码",
                              f"no project {number[:40]!r}; check the code", field="code")
        return public_view(found)

    return await answers.read_now(request, read)


async def load_index(request: Request) -> dict[str, Any]:
    def read(platform: Any, moment: Moment) -> dict[str, Any]:
        names = _departments()
        rows = views.statistics(platform.views_db)
        for r in rows:
            r["department_name"] = names.get(r["department"], r["department"])
        return {"statistics": rows}

    return await answers.read_now(request, read)


project_answer = answers.cached(load_project)
index_answer = answers.cached(load_index)
project_json = json_endpoint(project_answer)
project_page = page_endpoint("projects/project.html", project_answer)
index_json = json_endpoint(index_answer)
_index_page = page_endpoint("projects/index.html", index_answer)


async def index_page(request: Request) -> Response:
    """/projects, and /projects?code=... sent on to the project's page."""
    code = request.query_params.get("code", "").strip()
    if code:
        return RedirectResponse(f"/projects/{normalise_number(code)}", status_code=303)
    return await _index_page(request)
