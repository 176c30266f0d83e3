"""/api/v1/contributions (contributors report; the verifying department decides) and /api/v1/contributors.

    POST /api/v1/contributions            a contributor's token or session: 201 with the case number
    GET  /api/v1/contributions            the contributor's own reports, or the department's to verify
    GET  /api/v1/contributions/{number}   one report in full (its contributor and its department only)
    POST /api/v1/contributions/{number}/{confirm|refuse}   the verifying department
    GET  /api/v1/contributors[/{code}]    the public registry with track records

Nothing a contributor reports is public before it is confirmed; the public follows no report by content.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.cases import Case, workflows
from domain.contributions import CONTRIBUTION, categories
from domain.contributors import rules
from domain.errors import ValidationFailed
from stores.uploads import UploadRejected
from web.contributors.forms import FILES, actor, contribution_of, step_of
from web.errors import error, refusal
from web.firms.cases import case_dict, public_status, today_of
from web.uploads import check_request_size, store_files


def contribution_dict(request: Request, case: Case, today: dt.date) -> dict[str, Any]:
    """The whole report, for its contributor and the verifying department."""
    types = rules()
    return {**case_dict(request, case, today), "url": f"/api/v1/contributions/{case.number}",
            "contributor_code": case.contributor_code, "contributor_name": case.contributor_name,
            "contributor_type_label": types["contributor_types"][case.contributor_type]["zh"],
            "category": case.category, "category_label": categories()[case.category]["zh"],
            "happened_on": case.happened_on, "source": case.source,
            "source_type_label": types["source_types"][case.source["type"]]["zh"],
            "society_record": f"/records/{case.record_id}" if case.status == "confirmed" else None}


async def report(request: Request) -> Response:
    who = await actor(request, write=True)
    if isinstance(who, Response):
        return who
    platform = request.app.state.platform
    try:
        if request.headers.get("content-type", "").startswith("multipart/"):
            check_request_size(request, platform.uploads.policy)
        data, form = await contribution_of(request)
        materials = await store_files(platform.uploads, form, FILES) if form is not None else []
        number, position = await run_in_threadpool(platform.contributions.report, who, data, materials,
                                                   today_of(request))
    except (ValidationFailed, UploadRejected) as exc:
        return refusal(exc)
    return JSONResponse({"number": number, "position": position, "status": "submitted",
                         "url": f"/api/v1/contributions/{number}", "status_url": f"/api/v1/cases/{number}"},
                        status_code=201, headers={"Location": f"/api/v1/contributions/{number}"})


async def list_contributions(request: Request) -> Response:
    who = await actor(request, write=False)
    if isinstance(who, Response):
        return who
    platform, today = request.app.state.platform, today_of(request).isoformat()
    if who.contributor:
        rows = await run_in_threadpool(platform.contribution_views.of_contributor, who.contributor)
        return JSONResponse({"today": today, "count": len(rows), "contributions": [
            {**r, "status_label": _label(r["status"]), "url": f"/api/v1/contributions/{r['number']}"} for r in rows]})
    rows = await run_in_threadpool(platform.case_views.for_department, who.department, today, kind=CONTRIBUTION,
                                   open_only=request.query_params.get("open") == "1",
                                   overdue_only=request.query_params.get("overdue") == "1")
    return JSONResponse({"today": today, "count": len(rows), "contributions": [
        {**public_status(r), "credit_code": r["credit_code"], "party_name": r["party_name"],
         "url": f"/api/v1/contributions/{r['number']}"} for r in rows]})


def _label(status: str) -> str:
    return workflows()[CONTRIBUTION].status_labels[status]


async def get_contribution(request: Request) -> Response:
    who = await actor(request, write=False)
    if isinstance(who, Response):
        return who
    platform = request.app.state.platform
    try:
        case = await run_in_threadpool(platform.cases.case, request.path_params["number"], CONTRIBUTION)
        case.may_be_seen_by(who)
    except ValidationFailed as exc:
        return refusal(exc)
    return JSONResponse(contribution_dict(request, case, today_of(request)))


async def contribution_step(request: Request) -> Response:
    """confirm (an optional note: it becomes public with the record) or refuse (a reason: auditors only)."""
    who = await actor(request, write=True)
    if isinstance(who, Response):
        return who
    platform, today = request.app.state.platform, today_of(request)
    number, step = request.path_params["number"], request.path_params["step"]
    try:
        body = await step_of(request)
        await run_in_threadpool(decide, platform, who, number, step, body.get("reason"), today)
        case = await run_in_threadpool(platform.cases.case, number, CONTRIBUTION)
    except ValidationFailed as exc:
        return refusal(exc)
    return JSONResponse(contribution_dict(request, case, today))


def decide(platform: Any, who: Any, number: str, step: str, reason: str | None, today: dt.date) -> int:
    """The one way a department's decision on a contribution runs (the API and the reviewer pages)."""
    if step == "confirm":
        return platform.contributions.confirm(who, number, reason, today)
    return platform.cases.step(who, number, step, reason, today, CONTRIBUTION)


async def contributors(request: Request) -> Response:
    """GET /api/v1/contributors: every registered contributor with its public track record."""
    rows = await run_in_threadpool(request.app.state.platform.contribution_views.track_records)
    return JSONResponse({"count": len(rows), "contributors": rows})


async def contributor(request: Request) -> Response:
    code = request.path_params["code"].strip().upper()
    rows = await run_in_threadpool(request.app.state.platform.contribution_views.track_records, code)
    if not rows:
        return error(404, "not_found", f"{code} 不是登记的信息报送方", f"{code} is not a registered contributor")
    return JSONResponse(rows[0])
