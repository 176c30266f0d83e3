"""The applicant's and the departments' side: /firm/projects (submit, follow), /reviewer/projects (the window
accepts or refuses; each department opines on its items, with the credit check shown), and the API twins
POST /api/v1/projects (the firm's session, X-CSRF-Token) and POST /api/v1/projects/{code}/{step} (a reviewer
token: accept, refuse, opine). Same commands, bilingual 4xx naming the field, nothing stored on a refusal."""
from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

import schemas
from domain.cases import Actor
from domain.errors import InputError, ValidationFailed
from domain.projects import rules
from projections import projects as views
from stores.sessions import FIRM, REVIEWER
from web import sessions
from web.errors import error, errors_of, refusal, status_of
from web.forms import checked_form, csrf_failed, redirect, render, to_login
from web.http import authenticate, json_object
from web.projects.public import public_view

STEPS = ("accept", "refuse", "opine")


def _vocabulary() -> dict[str, Any]:
    return {"types": rules()["types"], "industries": rules()["industries"], "opinions": rules()["opinions"],
            "districts": schemas.glossary()["districts"], "commitment_text": rules()["commitment_text"],
            "item_labels": {k: v["zh"] for k, v in rules()["items"].items()}}


def _project_body(form: Any) -> dict[str, Any]:
    return {"name": form.get("name", ""), "project_type": form.get("project_type", ""),
            "industry": form.get("industry", ""), "district": form.get("district", ""), "amount": form.get("amount", ""),
            "description": form.get("description", ""), "commitment": form.get("commitment") in ("1", "on", "true")}


# -- the applicant ------------------------------------------------------------------------------------------
def _firm_data(platform: Any, code: str, form: dict[str, Any] | None = None,
               errors: list[Any] | None = None) -> dict[str, Any]:
    return {"credit_code": code, "projects": views.of_applicant(platform.views_db, code), "form": form or {},
            "errors": errors or [], **_vocabulary()}


async def firm_page(request: Request) -> Response:
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind != FIRM:
        return to_login(request, "/firm/login")
    platform, code = request.app.state.platform, session.subject
    if request.method == "GET":
        return await render(request, "projects/firm.html", await run_in_threadpool(_firm_data, platform, code))
    posted = await checked_form(request)
    if posted is None:
        return await csrf_failed(request)
    body = _project_body(posted)
    try:
        number, _ = await run_in_threadpool(platform.projects.submit, code, body, platform.clock(), f"firm:{code}")
    except ValidationFailed as exc:
        data = await run_in_threadpool(_firm_data, platform, code, body, errors_of(exc))
        return await render(request, "projects/firm.html", data, status_of(exc))
    return redirect(request, f"/firm/projects?submitted={number}")


async def submit_api(request: Request) -> Response:
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind != FIRM:
        return error(401, "unauthenticated", "请先登录企业账户", "log in as a firm")
    if not session.csrf_ok(request.headers.get(sessions.CSRF_HEADER)):
        return error(403, "csrf", "缺少或错误的 CSRF 令牌（X-CSRF-Token）", "missing or wrong CSRF token (X-CSRF-Token)")
    platform = request.app.state.platform
    try:
        body = await json_object(request, 64 * 1024, "项目申报（JSON 对象）")
        number, position = await run_in_threadpool(platform.projects.submit, session.subject, body, platform.clock(),
                                                   f"firm:{session.subject}")
    except ValidationFailed as exc:
        return refusal(exc)
    found = await run_in_threadpool(views.project, platform.views_db, number)
    return JSONResponse({**public_view(found), "position": position}, status_code=201)


# -- the departments ----------------------------------------------------------------------------------------
def _take(platform: Any, actor: Actor, number: str, step: str, body: dict[str, Any]) -> dict[str, Any]:
    today = platform.clock()
    if step == "accept":
        return platform.projects.accept(actor, number, today)
    if step == "refuse":
        return {"status": "not_accepted", "position": platform.projects.refuse(actor, number, body.get("reason"), today)}
    return platform.projects.opine(actor, number, str(body.get("item") or ""), str(body.get("opinion") or ""),
                                   body.get("reason"), today)


async def step_api(request: Request) -> Response:
    step = request.path_params["step"]
    if step not in STEPS:
        return error(404, "unknown_step", f"未知的办理操作：{step[:20]}（accept、refuse、opine）",
                     f"unknown step {step[:20]!r} (accept, refuse, opine)", field="step")
    principal = await authenticate(request, ("reviewer",))
    if isinstance(principal, Response):
        return principal
    platform = request.app.state.platform
    actor = Actor.reviewer(principal.identity, principal.department or "")
    try:
        body = await json_object(request, 64 * 1024)
        done = await run_in_threadpool(_take, platform, actor, request.path_params["code"], step, body)
    except ValidationFailed as exc:
        return refusal(exc)
    return JSONResponse(done)


def _reviewer_data(platform: Any, department: str, errors: list[Any] | None = None) -> dict[str, Any]:
    window = department == platform.projects.window
    rows = views.for_department(platform.views_db, department, window)
    for r in rows:
        r["credit"] = json.loads(r["credit"]) if r.get("credit") else None
    items = views.for_department(platform.views_db, department, False) if window else rows
    for r in items:
        r["credit"] = json.loads(r["credit"]) if isinstance(r.get("credit"), str) else r.get("credit")
    return {"department": department, "window": window, "to_accept": rows if window else [], "items": items,
            "errors": errors or [], **_vocabulary()}


async def reviewer_page(request: Request) -> Response:
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind != REVIEWER:
        return to_login(request, "/reviewer/login")
    platform = request.app.state.platform
    return await render(request, "projects/reviewer.html",
                        await run_in_threadpool(_reviewer_data, platform, session.department))


async def reviewer_step(request: Request) -> Response:
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind != REVIEWER:
        return to_login(request, "/reviewer/login")
    posted = await checked_form(request)
    if posted is None:
        return await csrf_failed(request)
    platform, step = request.app.state.platform, request.path_params["step"]
    actor = Actor.reviewer(f"reviewer:{session.subject}", session.department or "")
    try:
        if step not in STEPS:
            raise InputError("step", "unknown_step", f"未知的办理操作：{step[:20]}", f"unknown step {step[:20]!r}")
        done = await run_in_threadpool(_take, platform, actor, request.path_params["code"], step, dict(posted))
    except ValidationFailed as exc:
        data = await run_in_threadpool(_reviewer_data, platform, session.department, errors_of(exc))
        return await render(request, "projects/reviewer.html", data, status_of(exc))
    return redirect(request, f"/reviewer/projects?done={done['status']}")
