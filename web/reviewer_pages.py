"""Pages for reviewers: their department's cases, deadlines and overdue flags, and the decisions.

A reviewer signs in with the department's reviewer API token (the session lasts only
while the token is valid) and sees only cases about records their department recorded.
Downloading an applicant's material is a privileged read and is recorded in the log.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain import objections, repair
from domain.audit import record_read
from domain.cases import CaseForbiddenError, CaseNotFoundError
from domain.validation import FieldError
from web import sessions
from web.auth import TokenError
from web.case_http import (
    actor_of,
    case_dict,
    error_status,
    errors_of,
    kind_of,
    load_case,
    may_see,
    parse_fields,
    record_row,
    run,
    today_of,
)
from web.forms import case_form, checked_form, csrf_failed, message, redirect, render, safe_next, to_login
from web.labels import KINDS

#: What a reviewer may do next, by case kind and status: (step, button text, reason required).
ACTIONS = {
    ("repair", repair.SUBMITTED): [("accept", "受理", False), ("refuse", "不予受理", True)],
    ("repair", repair.ACCEPTED): [("approve", "准予修复", False), ("reject", "不予修复", True)],
    ("repair", repair.APPROVED): [("revoke", "撤销修复（材料不实或违背承诺）", True)],
    ("objection", objections.SUBMITTED): [("accept", "受理（信息标注为异议处理中）", False), ("refuse", "不予受理", True),
                                          ("request_material", "要求补充材料", True)],
    ("objection", objections.ACCEPTED): [("resolve", "办结", True)],
}


async def _reviewer(request: Request) -> sessions.Session | None:
    session = await run_in_threadpool(sessions.current, request)
    return session if session and session.kind == sessions.REVIEWER else None


async def login(request: Request) -> Response:
    target = safe_next(request, "/reviewer")
    if request.method == "GET":
        return await render(request, "reviewer/login.html", {"next": target, "errors": []})
    form = await checked_form(request)
    if form is None:
        return await csrf_failed(request)
    platform = request.app.state.platform
    try:
        principal = await run_in_threadpool(platform.tokens.authenticate, form.get("token", ""))
        if principal.role != "reviewer" or not principal.department:
            raise TokenError(403, "该令牌不是审核人员令牌（role=reviewer）", "this is not a reviewer token")
    except TokenError as e:
        return await render(request, "reviewer/login.html", {"next": target, "errors": [
            FieldError("token", "token", e.zh, e.en)]}, e.status)
    expires = next((t["expires_at"] for t in await run_in_threadpool(platform.tokens.list)
                    if t["id"] == principal.token_id), None)
    await run_in_threadpool(sessions.replace, request, sessions.REVIEWER, principal.token_id, principal.department,
                            expires)
    return redirect(request, target)


async def case_list(request: Request) -> Response:
    session = await _reviewer(request)
    if session is None:
        return to_login(request, "/reviewer/login")
    platform, today = request.app.state.platform, today_of(request)
    q = request.query_params
    kind = q.get("kind") if q.get("kind") in ("repair", "objection") else None
    rows = await run_in_threadpool(platform.case_views.for_department, session.department, today.isoformat(),
                                   kind=kind, open_only=q.get("open", "1") == "1", overdue_only=q.get("overdue") == "1")
    dept = platform.ledger.catalog.department(session.department)
    return await render(request, "reviewer/list.html", {
        "cases": rows, "today": today, "department": dept.name if dept else session.department,
        "filters": {"kind": kind or "", "open": q.get("open", "1"), "overdue": q.get("overdue", "")},
        "kinds": KINDS, "labels": {"repair": repair.STATUS_LABELS, "objection": objections.STATUS_LABELS}})


async def case_page(request: Request) -> Response:
    """GET: the case, the record, the materials and the possible decisions; POST /{step}: decide."""
    session = await _reviewer(request)
    if session is None:
        return to_login(request, "/reviewer/login")
    platform, today, actor = request.app.state.platform, today_of(request), actor_of(session)
    outcome = await case_form(
        request, actor, request.path_params["number"],
        lambda form, case: _decide(request, actor, case, request.path_params["step"], form),
        "/reviewer/cases/{number}", "无法办理该案件")
    if isinstance(outcome, Response):
        return outcome
    case, errors, status = outcome
    kind = kind_of(case)
    return await render(request, "reviewer/case.html", {
        "case": case_dict(request, case, today), "record": await run_in_threadpool(record_row, platform, case.record_id),
        "actions": ACTIONS.get((kind, case.status), []), "outcomes": objections.OUTCOMES, "errors": errors,
        "fields_hint": json.dumps({"fine": 1.5}, ensure_ascii=False)}, status)


async def _decide(request: Request, actor: Any, case: Any, step: str, form: Any) -> None:
    today, reason = today_of(request), form.get("reason")
    if isinstance(case, repair.RepairCase):
        await run(request, repair.decide_repair, actor, case.number, step, reason, today)
    elif step == "resolve":
        await run(request, objections.resolve_objection, actor, case.number, form.get("outcome", ""), reason,
                  parse_fields(form.get("fields", "")), today)
    else:
        await run(request, objections.decide_objection, actor, case.number, step, reason, today)


async def material(request: Request) -> Response:
    """One of the case's uploaded files, for the deciding department only; the read is recorded."""
    session = await _reviewer(request)
    if session is None:
        return to_login(request, "/reviewer/login")
    platform, actor = request.app.state.platform, actor_of(session)
    sha256 = request.path_params["sha256"]
    try:
        case = await run_in_threadpool(load_case, platform.ledger, request.path_params["number"])
        may_see(actor, case)
        found = next((m for m in case.materials if m["sha256"] == sha256), None)
        if found is None:
            raise CaseNotFoundError("sha256", "not_found", "该案件没有这个材料", "no such material in this case")
    except (CaseForbiddenError, CaseNotFoundError) as exc:
        return await message(request, "无法查看材料", errors_of(exc), error_status(exc))
    await run_in_threadpool(lambda: record_read(
        platform.ledger, reader=actor.identity, role="reviewer", department=actor.department,
        action="case.material", subject=case.number, detail={"sha256": sha256}))
    data = await run_in_threadpool(platform.uploads.read, sha256)
    filename = quote(found["name"])
    return Response(data, media_type=found["content_type"], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{filename}", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'", "Cache-Control": "private, no-store"})


routes = [
    Route("/reviewer/login", login, methods=["GET", "POST"]),
    Route("/reviewer", case_list),
    Route("/reviewer/cases/{number}", case_page),
    Route("/reviewer/cases/{number}/materials/{sha256}", material),
    Route("/reviewer/cases/{number}/{step}", case_page, methods=["POST"]),
]
