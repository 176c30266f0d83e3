"""信易贷 pages: /finance/products (public), the firm's /firm/consents and /firm/finance, the lender's desk.

The same commands as the API (web/finance/api.py) with browser sessions and CSRF-checked forms
(post/redirect/get); a refused form is shown again with its errors, naming the field.
"""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from domain.consents import purposes
from domain.errors import FieldError, ValidationFailed
from domain.lenders import rules
from projections import lending_queries as queries
from projections.public import Moment
from stores.accounts import AccountError
from stores.sessions import FIRM, LENDER
from web import sessions
from web.errors import errors_of, status_of
from web.finance.api import read_report
from web.finance.who import Caller
from web.forms import LoginRefused, SignedIn, checked_form, csrf_failed, login_page, redirect, render, to_login


async def _session(request: Request, kind: str) -> Caller | None:
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind != kind:
        return None
    return Caller(kind, session.subject, f"{kind}:{session.subject}")


async def products_page(request: Request) -> Response:
    """GET /finance/products: who lends what, on which conditions (no firm's data)."""
    rows = await run_in_threadpool(queries.products, request.app.state.platform.views_db)
    return await render(request, "finance/products.html", {"products": rows})


# -- the firm ---------------------------------------------------------------------------------------------------
def _consents_data(platform: Any, firm: str, draft: dict[str, Any] | None = None,
                   errors: list[FieldError] | None = None) -> dict[str, Any]:
    today = platform.clock()
    return {"credit_code": firm, "today": today.isoformat(), "draft": draft or {}, "errors": errors or [],
            "lenders": queries.lenders(platform.views_db), "purposes": list(purposes().values()),
            "max_months": rules()["consent"]["max_months"],
            "consents": queries.consents_of_firm(platform.views_db, firm, today),
            "reads": queries.reads_of_firm(platform.views_db, firm)}


async def firm_consents(request: Request) -> Response:
    """GET: the firm's consents and who read what, when (refused attempts too); POST: grant one."""
    firm = await _session(request, FIRM)
    if firm is None:
        return to_login(request, "/firm/login")
    platform = request.app.state.platform
    if request.method == "GET":
        return await render(request, "finance/consents.html",
                            await run_in_threadpool(_consents_data, platform, firm.code))
    form = await checked_form(request)
    if form is None:
        return await csrf_failed(request)
    draft = {k: form.get(k, "") for k in ("lender_code", "purpose", "valid_from", "valid_until")}
    try:
        await run_in_threadpool(platform.lending.grant, firm.code, draft, platform.clock(), firm.identity)
    except ValidationFailed as exc:
        data = await run_in_threadpool(_consents_data, platform, firm.code, draft, errors_of(exc))
        return await render(request, "finance/consents.html", data, status_of(exc))
    return redirect(request, "/firm/consents?granted=1")


async def revoke(request: Request) -> Response:
    firm = await _session(request, FIRM)
    if firm is None:
        return to_login(request, "/firm/login")
    platform = request.app.state.platform
    form = await checked_form(request)
    if form is None:
        return await csrf_failed(request)
    try:
        await run_in_threadpool(platform.lending.revoke, firm.code, request.path_params["consent_id"],
                                platform.clock(), firm.identity)
    except ValidationFailed as exc:
        data = await run_in_threadpool(_consents_data, platform, firm.code, None, errors_of(exc))
        return await render(request, "finance/consents.html", data, status_of(exc))
    return redirect(request, "/firm/consents")


def _finance_data(platform: Any, firm: str, errors: list[FieldError] | None = None,
                  draft: dict[str, Any] | None = None) -> dict[str, Any]:
    moment = Moment.now(platform.clock())
    return {"credit_code": firm, "today": moment.today, "errors": errors or [], "draft": draft or {},
            "products": platform.lending.eligibility(firm, moment),
            "applications": queries.applications(platform.views_db, credit_code=firm),
            "consent_months": rules()["consent"]["application_months"]}


async def firm_finance(request: Request) -> Response:
    """GET: every product, eligible or why not, and the firm's applications; POST: apply (a consent goes with it)."""
    firm = await _session(request, FIRM)
    if firm is None:
        return to_login(request, "/firm/login")
    platform = request.app.state.platform
    if request.method == "GET":
        return await render(request, "finance/firm.html", await run_in_threadpool(_finance_data, platform, firm.code))
    form = await checked_form(request)
    if form is None:
        return await csrf_failed(request)
    draft = {"product_id": form.get("product_id", ""), "amount": _number(form.get("amount")),
             "term_months": _number(form.get("term_months"), integer=True)}
    try:
        await run_in_threadpool(platform.lending.apply, firm.code, draft, Moment.now(platform.clock()), firm.identity)
    except ValidationFailed as exc:
        data = await run_in_threadpool(_finance_data, platform, firm.code, errors_of(exc), draft)
        return await render(request, "finance/firm.html", data, status_of(exc))
    return redirect(request, "/firm/finance?applied=1")


def _number(raw: Any, integer: bool = False) -> Any:
    """A form's number as a number (the schema then checks it); text that is not one is left for it to refuse."""
    text = str(raw or "").strip()
    try:
        return int(text) if integer else float(text)
    except ValueError:
        return text or None


# -- the lender ---------------------------------------------------------------------------------------------------
async def lender_login(request: Request) -> Response:
    """A lender signs in with its account (activated like a firm's) and must be on the credit office's register."""
    platform = request.app.state.platform

    def sign_in(form: Any) -> SignedIn:
        try:
            code = platform.accounts.login(form.get("credit_code", ""), form.get("password", ""))
            platform.lending.lender(code)
        except AccountError as e:
            raise LoginRefused(e.status, FieldError(e.field, e.code, e.zh, e.en)) from None
        except ValidationFailed as e:
            raise LoginRefused(403, e.errors[0]) from None
        return SignedIn(LENDER, code)

    return await login_page(request, "finance/lender_login.html", "/lender", sign_in, kept=("credit_code",))


def _lender_data(platform: Any, code: str) -> dict[str, Any]:
    lender = platform.lending.lender(code)
    today = platform.clock()
    return {"lender": {"credit_code": lender.credit_code, "name": lender.name, "label": lender.label},
            "consents": queries.consents_of_lender(platform.views_db, code, today),
            "reads": queries.reads_of_lender(platform.views_db, code),
            "products": queries.products(platform.views_db, code, active_only=False),
            "applications": queries.applications(platform.views_db, lender_code=code)}


async def lender_home(request: Request) -> Response:
    lender = await _session(request, LENDER)
    if lender is None:
        return to_login(request, "/lender/login")
    data = await run_in_threadpool(_lender_data, request.app.state.platform, lender.code)
    return await render(request, "finance/lender.html", data)


async def lender_report_page(request: Request) -> Response:
    """The fuller report of a firm (the read is recorded), or the refusal (recorded too), as a page."""
    lender = await _session(request, LENDER)
    if lender is None:
        return to_login(request, "/lender/login")
    code = request.path_params["code"].strip().upper() or request.query_params.get("credit_code", "")
    try:
        answer = await run_in_threadpool(read_report, request.app.state.platform, lender, code, None)
    except ValidationFailed as exc:
        return await render(request, "finance/lender_report.html", {"errors": errors_of(exc), "credit_code": code},
                            status_of(exc))
    labels = {r["id"]: r["zh"] for r in rules()["lender_report"]["beyond_public"]}
    return await render(request, "finance/lender_report.html", {"errors": [], "credit_code": code, "rules": labels,
                                                                **answer})


async def lender_report_form(request: Request) -> Response:
    """GET /lender/reports?credit_code=...: the desk's form, sent on to the report's page."""
    code = request.query_params.get("credit_code", "").strip().upper()
    return redirect(request, f"/lender/reports/{code}" if code else "/lender")
