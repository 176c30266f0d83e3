"""信易贷 pages: /finance/products (public), the firm's /firm/consents and /firm/finance (the lender's desk: desk.py).

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
from stores.sessions import FIRM
from web import sessions
from web.errors import errors_of, status_of
from web.finance.who import Caller
from web.forms import checked_form, csrf_failed, redirect, render, to_login


async def session_of(request: Request, kind: str) -> Caller | None:
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
    firm = await session_of(request, FIRM)
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
    firm = await session_of(request, FIRM)
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
    firm = await session_of(request, FIRM)
    if firm is None:
        return to_login(request, "/firm/login")
    platform = request.app.state.platform
    if request.method == "GET":
        return await render(request, "finance/firm.html", await run_in_threadpool(_finance_data, platform, firm.code))
    form = await checked_form(request)
    if form is None:
        return await csrf_failed(request)
    draft = {"product_id": form.get("product_id", ""), "amount": form_number(form.get("amount")),
             "term_months": form_number(form.get("term_months"), integer=True)}
    try:
        await run_in_threadpool(platform.lending.apply, firm.code, draft, Moment.now(platform.clock()), firm.identity)
    except ValidationFailed as exc:
        data = await run_in_threadpool(_finance_data, platform, firm.code, errors_of(exc), draft)
        return await render(request, "finance/firm.html", data, status_of(exc))
    return redirect(request, "/firm/finance?applied=1")


def form_number(raw: Any, integer: bool = False) -> Any:
    """A form's number as a number (the schema then checks it); text that is not one is left for it to refuse."""
    text = str(raw or "").strip()
    try:
        return int(text) if integer else float(text)
    except ValueError:
        return text or None
