"""Pages for firms: activation, login, their records with what they can do about each, cases.

A firm sees, for each of its own penalties and list entries, whether it may apply for
credit repair today and why not, before it uploads anything. Applications and
objections are plain HTML forms with a CSRF token; after a write the browser is sent
to the case page (post/redirect/get). Anyone can look a case up by its number and see
its status, nothing more.
"""
from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain import objections, repair
from domain.cases import OBJECTION, REPAIR, Actor, Case, normalise_number
from domain.errors import FieldError, ValidationFailed
from domain.records import REPAIRABLE_KINDS
from projections.record_queries import firm_records
from stores.accounts import AccountError
from stores.sessions import FIRM
from stores.uploads import UploadRejected
from web import sessions
from web.firms.cases import RECORD_STATUS, case_dict, public_status, record_row, today_of
from web.context import Platform
from web.errors import errors_of, status_of
from web.forms import (
    LoginRefused,
    SignedIn,
    case_form,
    checked_form,
    csrf_failed,
    login_page,
    message,
    redirect,
    render,
    to_login,
)
from web.labels import KINDS
from web.uploads import store_files

FILES = {REPAIR: {"proof": "proof", "commitment": "commitment"}, OBJECTION: {"evidence": "evidence"}}


async def _firm(request: Request) -> Actor | None:
    session = await run_in_threadpool(sessions.current, request)
    return Actor.firm(session.subject) if session and session.kind == FIRM else None


# -- activation, login, logout ---------------------------------------------------------------------------
async def activate(request: Request) -> Response:
    accounts, token = request.app.state.platform.accounts, request.path_params["token"]
    code = await run_in_threadpool(accounts.activation, token)
    if code is None:
        return await message(request, "激活链接无效", [FieldError(
            "token", "activation_invalid", "激活链接无效、已使用或已过期，请联系管理员重新生成",
            "this activation link is invalid, used or expired")], 410)
    data = {"credit_code": code, "min_length": accounts.policy.min_password_length, "errors": []}
    if request.method == "GET":
        return await render(request, "firm/activate.html", data)
    form = await checked_form(request)
    if form is None:
        return await csrf_failed(request)
    try:
        code = await run_in_threadpool(accounts.activate, token, form.get("password", ""), form.get("confirm", ""))
    except AccountError as e:
        return await render(request, "firm/activate.html",
                            {**data, "errors": [FieldError(e.field, e.code, e.zh, e.en)]}, e.status)
    await run_in_threadpool(sessions.replace, request, FIRM, code)
    return redirect(request, "/firm")


async def login(request: Request) -> Response:
    accounts = request.app.state.platform.accounts

    def sign_in(form: Any) -> SignedIn:
        try:
            return SignedIn(FIRM, accounts.login(form.get("credit_code", ""), form.get("password", "")))
        except AccountError as e:
            raise LoginRefused(e.status, FieldError(e.field, e.code, e.zh, e.en)) from None

    return await login_page(request, "firm/login.html", "/firm", sign_in, kept=("credit_code",))


async def logout(request: Request) -> Response:
    """Ends a firm's or a reviewer's session."""
    form = await checked_form(request)
    if form is None:
        return await csrf_failed(request)
    response = RedirectResponse("/", status_code=303)
    await run_in_threadpool(sessions.end, request, response)
    return response


# -- the firm's records and cases ------------------------------------------------------------------------------
def _records(platform: Platform, actor: Actor, today: dt.date) -> list[dict[str, Any]]:
    """The firm's current records, each with why it can or cannot be repaired or objected to today."""
    rows = firm_records(platform.views_db, actor.credit_code)
    cases = platform.cases
    docket = cases.docket(actor.credit_code)
    for row in rows:
        record = cases.record(row["record_id"])
        row.update(kind_label=KINDS.get(row["kind"], row["kind"]),
                   status_label=RECORD_STATUS.get(row["status"], row["status"]),
                   repairable=row["kind"] in REPAIRABLE_KINDS,
                   objection_reasons=objections.objection_eligibility(record, docket))
        row["repair_reasons"] = cases.repair_reasons(record, docket, today) if row["repairable"] else []
    return rows


async def home(request: Request) -> Response:
    actor = await _firm(request)
    if actor is None:
        return to_login(request, "/firm/login")
    platform, today = request.app.state.platform, today_of(request)
    records = await run_in_threadpool(_records, platform, actor, today)
    cases = await run_in_threadpool(platform.case_views.for_firm, actor.credit_code, today.isoformat())
    return await render(request, "firm/home.html", {
        "credit_code": actor.credit_code, "records": records, "today": today.isoformat(),
        "cases": [public_status(c) | {"document_number": c["document_number"]} for c in cases]})


async def repair_form(request: Request) -> Response:
    return await _application(request, REPAIR)


async def objection_form(request: Request) -> Response:
    return await _application(request, OBJECTION)


async def _application(request: Request, kind: str) -> Response:
    """GET: the record, whether the firm may apply today and why not; POST: store the files, then apply."""
    actor = await _firm(request)
    if actor is None:
        return to_login(request, "/firm/login")
    platform, today, record_id = request.app.state.platform, today_of(request), request.path_params["record_id"]
    template = f"firm/{kind}.html"
    data: dict[str, Any] = {"errors": [], "grounds": objections.GROUNDS, "roles": repair.MATERIAL_ROLES,
                            "upload_limit": platform.uploads.policy.size_label, "chosen": [], "statement": ""}
    try:
        record, reasons = await run_in_threadpool(platform.cases.eligibility, actor, record_id, kind, today)
        data.update(record=await run_in_threadpool(record_row, request, str(record.id)), reasons=reasons)
        if request.method == "GET" or reasons:
            return await render(request, template, data, 200 if request.method == "GET" else 409)
        form = await checked_form(request)
        if form is None:
            return await csrf_failed(request)
        data.update(chosen=form.getlist("grounds"), statement=form.get("statement", ""))
        materials = await store_files(platform.uploads, form, FILES[kind])
        if kind == REPAIR:
            number, _ = await run_in_threadpool(platform.cases.apply_for_repair, actor, record_id, materials,
                                                form.get("statement", ""), today)
        else:
            number, _ = await run_in_threadpool(platform.cases.raise_objection, actor, record_id,
                                                form.getlist("grounds"), form.get("statement", ""), materials, today)
    except (ValidationFailed, UploadRejected) as exc:
        if "record" not in data:
            return await message(request, "无法办理", errors_of(exc), status_of(exc))
        return await render(request, template, {**data, "errors": errors_of(exc)}, status_of(exc))
    return redirect(request, f"/firm/cases/{number}")


async def case_page(request: Request) -> Response:
    """The firm's own case in full; POST .../withdraw or .../material (answering a request for material)."""
    actor = await _firm(request)
    if actor is None:
        return to_login(request, "/firm/login")
    platform, today = request.app.state.platform, today_of(request)
    outcome = await case_form(
        request, actor, request.path_params["number"],
        lambda form, case: _firm_step(request, actor, case, request.path_params["action"], form),
        "/firm/cases/{number}", "无法查看该案件")
    if isinstance(outcome, Response):
        return outcome
    case, errors, status = outcome
    return await render(request, "firm/case.html", {"case": case_dict(request, case, today), "errors": errors,
                                                    "upload_limit": platform.uploads.policy.size_label}, status)


async def _firm_step(request: Request, actor: Actor, case: Case, action: str, form: Any) -> None:
    today, cases = today_of(request), request.app.state.platform.cases
    if action == "material":
        materials = await store_files(request.app.state.platform.uploads, form, FILES[OBJECTION])
        await run_in_threadpool(cases.supply_material, actor, case.number, form.get("statement", ""), materials, today)
    elif action == "withdraw":
        await run_in_threadpool(cases.step, actor, case.number, "withdraw", form.get("reason"), today, case.kind)
    else:
        raise UploadRejected(404, "unknown_action", f"未知的操作：{action}", f"unknown action {action}", "action")


async def status_page(request: Request) -> Response:
    """Anyone: a case's status by its number (/cases?number=... redirects to /cases/{number})."""
    number = request.path_params.get("number") or request.query_params.get("number", "").strip()
    if not number:
        return await render(request, "firm/status.html", {"found": None, "number": ""})
    if "number" not in request.path_params:
        return RedirectResponse(f"/cases/{quote(normalise_number(number))}", status_code=303)
    row = await run_in_threadpool(request.app.state.platform.case_views.by_number, number,
                                  today_of(request).isoformat())
    return await render(request, "firm/status.html", {"found": public_status(row) if row else None, "number": number},
                        200 if row else 404)
