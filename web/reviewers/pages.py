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

from domain import complaints, objections
from domain.cases import Actor, Case, workflows
from domain.complaints import COMPLAINT_CASE
from domain.contributions import CONTRIBUTION
from domain.errors import CaseForbiddenError, CaseNotFoundError, FieldError
from stores.sessions import REVIEWER, Session
from stores.tokens import TokenError
from web import sessions
from web.contributors import api as contributions_api
from web.errors import errors_of, status_of
from web.firms.cases import actor_of, case_dict, parse_fields, record_row, today_of
from web.forms import LoginRefused, SignedIn, case_form, login_page, message, render, to_login
from web.labels import KINDS


async def _reviewer(request: Request) -> Session | None:
    session = await run_in_threadpool(sessions.current, request)
    return session if session and session.kind == REVIEWER else None


async def login(request: Request) -> Response:
    """A reviewer signs in with the department's reviewer token; the session ends when the token does."""
    tokens = request.app.state.platform.tokens

    def sign_in(form: Any) -> SignedIn:
        try:
            principal = tokens.authenticate(form.get("token", ""))
        except TokenError as e:
            raise LoginRefused(e.status, FieldError("token", "token", e.zh, e.en)) from None
        if principal.role != "reviewer" or not principal.department:
            raise LoginRefused(403, FieldError("token", "token", "该令牌不是审核人员令牌（role=reviewer）",
                                               "this is not a reviewer token"))
        expires = next((t["expires_at"] for t in tokens.list() if t["id"] == principal.token_id), None)
        return SignedIn(REVIEWER, principal.token_id, principal.department, expires)

    return await login_page(request, "reviewer/login.html", "/reviewer", sign_in)


async def case_list(request: Request) -> Response:
    session = await _reviewer(request)
    if session is None:
        return to_login(request, "/reviewer/login")
    platform, today = request.app.state.platform, today_of(request)
    q = request.query_params
    kind = q.get("kind") if q.get("kind") in workflows() else None
    rows = await run_in_threadpool(platform.case_views.for_department, session.department, today.isoformat(),
                                   kind=kind, open_only=q.get("open", "1") == "1", overdue_only=q.get("overdue") == "1")
    dept = platform.ledger.catalog.department(session.department)
    return await render(request, "reviewer/list.html", {
        "cases": rows, "today": today, "department": dept.name if dept else session.department,
        "filters": {"kind": kind or "", "open": q.get("open", "1"), "overdue": q.get("overdue", "")},
        "kinds": KINDS, "labels": {kind: w.status_labels for kind, w in workflows().items()},
        "case_kinds": {kind: w.label for kind, w in workflows().items()}})


async def case_page(request: Request) -> Response:
    """GET: the case, the record, the materials and the possible decisions; POST /{step}: decide."""
    session = await _reviewer(request)
    if session is None:
        return to_login(request, "/reviewer/login")
    today, actor = today_of(request), actor_of(session)
    outcome = await case_form(
        request, actor, request.path_params["number"],
        lambda form, case: _decide(request, actor, case, request.path_params["step"], form),
        "/reviewer/cases/{number}", "无法办理该案件")
    if isinstance(outcome, Response):
        return outcome
    case, errors, status = outcome
    shown = contributions_api.contribution_dict(request, case, today) if case.kind == CONTRIBUTION \
        else case_dict(request, case, today)
    return await render(request, "reviewer/case.html", {
        "case": shown, "record": await run_in_threadpool(record_row, request, case.record_id),
        "actions": case.workflow().buttons(case.status), "outcomes": objections.OUTCOMES, "errors": errors,
        "complaint_steps": [s for s in ("transfer", "conclude") if case.kind == COMPLAINT_CASE
                            and case.status in case.workflow().step(s).allowed],
        "complaint_outcomes": complaints.rules()["outcomes"],
        "departments": {d.code: d.name for d in request.app.state.platform.ledger.catalog.departments.values()},
        "fields_hint": json.dumps({"fine": 1.5}, ensure_ascii=False)}, status)


async def _decide(request: Request, actor: Actor, case: Case, step: str, form: Any) -> None:
    today, reason, cases = today_of(request), form.get("reason"), request.app.state.platform.cases
    if case.kind == COMPLAINT_CASE and step == "transfer":
        await run_in_threadpool(request.app.state.platform.complaints.transfer, actor, case.number,
                                form.get("to_department", ""), reason, today)
    elif case.kind == COMPLAINT_CASE and step == "conclude":
        await run_in_threadpool(request.app.state.platform.complaints.conclude, actor, case.number,
                                form.get("outcome"), reason, today)
    elif case.kind == CONTRIBUTION:
        await run_in_threadpool(contributions_api.decide, request.app.state.platform, actor, case.number, step,
                                reason, today)
    elif case.kind == "objection" and step == "resolve":
        await run_in_threadpool(cases.resolve_objection, actor, case.number, form.get("outcome", ""), reason,
                                parse_fields(form.get("fields", "")), today)
    else:
        await run_in_threadpool(cases.step, actor, case.number, step, reason, today, case.kind)


async def material(request: Request) -> Response:
    """One of the case's uploaded files, for the deciding department only; the read is recorded."""
    session = await _reviewer(request)
    if session is None:
        return to_login(request, "/reviewer/login")
    platform, actor = request.app.state.platform, actor_of(session)
    sha256 = request.path_params["sha256"]
    try:
        case = await run_in_threadpool(platform.cases.case, request.path_params["number"])
        case.may_be_seen_by(actor)
        found = next((m for m in case.materials if m["sha256"] == sha256), None)
        if found is None:
            raise CaseNotFoundError("sha256", "not_found", "该案件没有这个材料", "no such material in this case")
    except (CaseForbiddenError, CaseNotFoundError) as exc:
        return await message(request, "无法查看材料", errors_of(exc), status_of(exc))
    await run_in_threadpool(lambda: platform.audit.record_read(
        reader=actor.identity, role="reviewer", department=actor.department,
        action="case.material", subject=case.number, detail={"sha256": sha256}))
    data = await run_in_threadpool(platform.uploads.read, sha256)
    filename = quote(found["name"])
    return Response(data, media_type=found["content_type"], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{filename}", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'", "Cache-Control": "private, no-store"})
