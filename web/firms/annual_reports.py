"""Filing annual reports over HTTP: the firm's pages (/firm/annual-reports) and POST /api/v1/annual-reports.

A firm files with its browser session (API writes carry X-CSRF-Token); a department enters a
report received on paper with its submitter token (and the day it was received, `filed_on`).
The body is the report itself (schemas/annual_reports/), with `action` "file" (the default)
or "revise": a second filing for a year is refused, a revision is said so.
"""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain import annual_reports
from domain.annual_reports import PAPER, Filing, Window
from domain.errors import FieldError, ValidationFailed
from projections.public import Moment
from stores.sessions import ANONYMOUS, FIRM
from web import labels, sessions
from web.errors import error, errors_of, refusal, status_of
from web.firms import report_form
from web.firms.cases import today_of
from web.forms import checked_form, csrf_failed, redirect, render, to_login
from web.http import authenticate, json_object

MAX_JSON = 1024 * 1024
ACTIONS = ("file", "revise")


# -- the API -------------------------------------------------------------------------------------------
async def _filer(request: Request) -> Filing | Response:
    """A department's submitter token (paper reports), or a firm's browser session with its CSRF token."""
    if request.headers.get("authorization") or request.headers.get("x-api-key"):
        principal = await authenticate(request, ("submitter",))
        if isinstance(principal, Response):
            return principal
        return Filing(principal.identity, PAPER, department=principal.department)
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind == ANONYMOUS or session.kind != FIRM:
        return error(401, "unauthenticated", "请先以企业账户登录，或使用部门报送令牌录入纸质年报",
                     "log in with a firm account, or use a department submitter token for a paper report")
    if not session.csrf_ok(request.headers.get(sessions.CSRF_HEADER)):
        return error(403, "csrf", "缺少或错误的 CSRF 令牌（X-CSRF-Token）", "missing or wrong CSRF token (X-CSRF-Token)")
    return Filing(f"firm:{session.subject}", annual_reports.ONLINE, credit_code=session.subject)


async def submit(request: Request) -> Response:
    filer = await _filer(request)
    if isinstance(filer, Response):
        return filer
    platform = request.app.state.platform
    try:
        body = await json_object(request, MAX_JSON, "一个 JSON 对象（一份年度报告）")
        action, filed_on = body.pop("action", "file"), body.pop("filed_on", None)
        if action not in ACTIONS:
            raise ValidationFailed([FieldError("action", "enum", "action 应为 file（报送）或 revise（修改）",
                                               "action must be file or revise")])
        if action == "file":
            report, position = await run_in_threadpool(platform.annual_reports.file, filer, body, filed_on=filed_on)
        else:
            report, position = await run_in_threadpool(platform.annual_reports.revise, filer, body)
    except ValidationFailed as exc:
        return refusal(exc)
    view = await run_in_threadpool(platform.annual_report_views.one, report.credit_code, report.year,
                                   Moment.now(platform.clock()))
    url = f"/api/v1/entities/{report.credit_code}/annual-reports/{report.year}"
    return JSONResponse({"action": action, "changed": position is not None, "position": position, "url": url,
                         "report": {k: v for k, v in (view or {}).items() if k not in ("valid_from", "valid_to")}},
                        status_code=201 if action == "file" else 200)


# -- the firm's pages ------------------------------------------------------------------------------------
async def _firm_code(request: Request) -> str | None:
    session = await run_in_threadpool(sessions.current, request)
    return session.subject if session and session.kind == FIRM else None


def _years(platform: Any, code: str, today: Any) -> list[dict[str, Any]]:
    """The report years a firm sees: the last one whose window has opened and the late-fileable ones before it."""
    filed = {r["year"]: r for r in platform.annual_report_views.of_entity(code, Moment.now(today))}
    last = today.year - 1
    years = []
    for year in range(last, last - annual_reports.rules()["late_filing_years"], -1):
        window = Window.of(year)
        report = filed.get(year)
        years.append({"year": year, "opens": window.opens.isoformat(), "closes": window.closes.isoformat(),
                      "open": window.is_open(today), "overdue": today > window.closes and report is None,
                      "report": report})
    return years


async def home(request: Request) -> Response:
    code = await _firm_code(request)
    if code is None:
        return to_login(request, "/firm/login")
    platform, today = request.app.state.platform, today_of(request)
    years = await run_in_threadpool(_years, platform, code, today)
    return await render(request, "firm/annual_reports.html", {
        "credit_code": code, "today": today.isoformat(), "years": years, "rules": annual_reports.rules(),
        "form_title": labels.report_titles(annual_reports.form_for(code))["title"]})


async def form_page(request: Request) -> Response:
    """GET: the form (pre-filled with the filed report, if any); POST: file it or revise it."""
    code = await _firm_code(request)
    if code is None:
        return to_login(request, "/firm/login")
    platform = request.app.state.platform
    raw_year = request.path_params["year"]
    year = int(raw_year) if raw_year.isdigit() else 0
    form = annual_reports.form_for(code)
    existing = await run_in_threadpool(platform.annual_reports.report, code, year) if year else None
    data: dict[str, Any] = {"credit_code": code, "year": year, "form": form, "errors": [],
                            "titles": labels.report_titles(form), "fields": report_form.fields_of(form),
                            "window": Window.of(year) if year else None, "filed": existing is not None,
                            "report": dict(existing.fields) if existing else {"credit_code": code, "year": year},
                            "revised_on": existing.revised_on if existing else None,
                            "filed_on": existing.filed_on if existing else None,
                            "choosable": report_form.choosable(form), "rows_for": report_form.rows_for}
    if request.method == "GET":
        return await render(request, "firm/annual_report_form.html", data)
    posted = await checked_form(request)
    if posted is None:
        return await csrf_failed(request)
    report = report_form.parse(form, posted, code, year)
    filer = Filing(f"firm:{code}", annual_reports.ONLINE, credit_code=code)
    try:
        if existing is None:
            await run_in_threadpool(platform.annual_reports.file, filer, report)
        else:
            await run_in_threadpool(platform.annual_reports.revise, filer, report)
    except ValidationFailed as exc:
        return await render(request, "firm/annual_report_form.html",
                            {**data, "report": report, "errors": errors_of(exc)}, status_of(exc))
    return redirect(request, f"/firm/annual-reports?saved={year}")
