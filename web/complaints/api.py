"""POST /api/v1/complaints (anyone), the handling department's reads and steps, all bilingual 4xx on refusal.

Filing answers 201 with the case number (or 200 with `linked` when the same filing is already
open: the number of that case). Anyone follows a case by number at /api/v1/cases/{number}
(status, category, outcome: never the facts or the contact).
"""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.complaints import COMPLAINT_CASE, categories, rules
from domain.errors import ValidationFailed
from projections.cases import complaint_statistics
from stores.uploads import UploadRejected
from web.complaints.forms import FILES, filing_of, step_of
from web.errors import error, refusal
from web.firms.cases import api_actor, case_dict, public_status, today_of
from web.ratelimit import RateLimit, client_of, window
from web.uploads import check_request_size, store_files

LIMIT = rules()["rate_limit"]


def limiter(request: Request) -> RateLimit:
    """The filings window of this app (one per web process)."""
    return window(request, "complaint_filings", LIMIT["filings"], LIMIT["minutes"] * 60)


def allowed(request: Request) -> bool:
    return not limiter(request).full(client_of(request))


def counted(request: Request) -> None:
    limiter(request).hit(client_of(request))


async def file_complaint(request: Request) -> Response:
    if not allowed(request):
        return error(429, "rate_limited", f"提交过于频繁：每{LIMIT['minutes']}分钟最多{LIMIT['filings']}件，请稍后再试",
                     f"too many filings: at most {LIMIT['filings']} per {LIMIT['minutes']} minutes")
    platform = request.app.state.platform
    try:
        if request.headers.get("content-type", "").startswith("multipart/"):
            check_request_size(request, platform.uploads.policy)
        data, form = await filing_of(request)
        materials = await store_files(platform.uploads, form, FILES) if form is not None else []
        number, position, linked = await run_in_threadpool(
            platform.complaints.file, data, materials, f"public:{client_of(request)}", today_of(request))
    except (ValidationFailed, UploadRejected) as exc:
        return refusal(exc)
    counted(request)
    return JSONResponse({"number": number, "linked": linked, "position": position,
                         "status_url": f"/api/v1/cases/{number}", "page": f"/cases/{number}"},
                        status_code=200 if linked else 201, headers={"Location": f"/cases/{number}"})


async def list_complaints(request: Request) -> Response:
    actor = await api_actor(request, write=False)
    if isinstance(actor, Response):
        return actor
    if not actor.department:
        return error(403, "forbidden", "投诉举报案件只有办理部门可以查看", "only the handling department lists complaints")
    today = today_of(request).isoformat()
    rows = await run_in_threadpool(request.app.state.platform.case_views.for_department, actor.department, today,
                                   kind=COMPLAINT_CASE, open_only=request.query_params.get("open") == "1",
                                   overdue_only=request.query_params.get("overdue") == "1")
    return JSONResponse({"today": today, "count": len(rows), "cases": [
        {**public_status(r), "credit_code": r["credit_code"], "party_name": r["party_name"], "late": r["late"],
         "url": f"/api/v1/complaints/{r['number']}"} for r in rows]})


async def get_complaint(request: Request) -> Response:
    actor = await api_actor(request, write=False)
    if isinstance(actor, Response):
        return actor
    platform = request.app.state.platform
    try:
        case = await run_in_threadpool(platform.cases.case, request.path_params["number"], COMPLAINT_CASE)
        case.may_be_seen_by(actor)
    except ValidationFailed as exc:
        return refusal(exc)
    return JSONResponse(case_dict(request, case, today_of(request)))


async def complaint_step(request: Request) -> Response:
    """A step by the handling department: acknowledge, accept, refuse, transfer, extend, conclude, flag_malicious."""
    actor = await api_actor(request, write=True)
    if isinstance(actor, Response):
        return actor
    platform, today = request.app.state.platform, today_of(request)
    number, step = request.path_params["number"], request.path_params["step"]
    try:
        body = await step_of(request)
        reason = body.get("reason")
        if step == "transfer":
            await run_in_threadpool(platform.complaints.transfer, actor, number, body.get("to_department", ""),
                                    reason, today)
        elif step == "conclude":
            await run_in_threadpool(platform.complaints.conclude, actor, number, body.get("outcome"), reason, today)
        else:
            await run_in_threadpool(platform.cases.step, actor, number, step, reason, today, COMPLAINT_CASE)
        case = await run_in_threadpool(platform.cases.case, number, COMPLAINT_CASE)
    except ValidationFailed as exc:
        return refusal(exc)
    return JSONResponse(case_dict(request, case, today))


def statistics_data(request: Request, rows: list[dict]) -> dict:
    departments = {d.code: d.name for d in request.app.state.platform.ledger.catalog.departments.values()}
    cats = categories()
    for row in rows:
        row["category_label"] = cats.get(row["category"] or "", {}).get("zh", row["category"])
        row["department_name"] = departments.get(row["department"], row["department"])
    totals = {k: sum(r[k] for r in rows) for k in ("filed", "open", "overdue", "closed", "closed_on_time", "upheld")}
    totals["on_time_rate"] = round(totals["closed_on_time"] / totals["closed"], 3) if totals["closed"] else None
    return {"today": today_of(request).isoformat(), "rows": rows, "totals": totals}


async def load_statistics(request: Request) -> dict:
    platform = request.app.state.platform
    rows = await run_in_threadpool(complaint_statistics, platform.views_db, today_of(request).isoformat())
    return statistics_data(request, rows)


async def statistics(request: Request) -> Response:
    """GET /api/v1/complaints/statistics: per category and department, for the public (no case identified)."""
    return JSONResponse(await load_statistics(request))
