"""The lender's desk: sign in, read a consenting firm's fuller report, decide loan applications, publish products.

The same commands as the API (web/finance/api.py) with a browser session and CSRF-checked forms
(post/redirect/get); a refused form is shown again with its errors, naming the field.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

import schemas
from domain import flat_forms
from domain.errors import FieldError, ValidationFailed
from domain.lenders import rules
from projections import lending_queries as queries
from stores.accounts import AccountError
from stores.sessions import LENDER
from web.errors import errors_of, status_of
from web.finance.api import read_report
from web.finance.pages import form_number, session_of
from web.forms import LoginRefused, SignedIn, checked_form, csrf_failed, login_page, redirect, render, to_login

#: the desk's words for an application's status (the firm's page uses the same)
APPLICATION_LABELS = {"submitted": "审查中", "granted": "已放款", "declined": "未获批准"}


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


def _lender_data(platform: Any, code: str, errors: list[FieldError] | None = None,
                 draft: dict[str, Any] | None = None) -> dict[str, Any]:
    lender = platform.lending.lender(code)
    today = platform.clock()
    applications = queries.applications(platform.views_db, lender_code=code)
    for a in applications:
        a["status_label"] = APPLICATION_LABELS.get(a["status"], a["status"])
    return {"lender": {"credit_code": lender.credit_code, "name": lender.name, "label": lender.label},
            "consents": queries.consents_of_lender(platform.views_db, code, today),
            "reads": queries.reads_of_lender(platform.views_db, code),
            "products": queries.products(platform.views_db, code, active_only=False),
            "applications": applications, "errors": errors or [], "draft": draft or {},
            "grades": ("A", "B", "C", "D")}


async def lender_home(request: Request) -> Response:
    lender = await session_of(request, LENDER)
    if lender is None:
        return to_login(request, "/lender/login")
    data = await run_in_threadpool(_lender_data, request.app.state.platform, lender.code)
    return await render(request, "finance/lender.html", data)


async def _command(request: Request, run: Callable[[Any, Any, Any], Any], done: str,
                   keep_draft: bool = False) -> Response:
    """One desk form: the lender's session, the CSRF check, the command; refused, the desk again with the errors."""
    lender = await session_of(request, LENDER)
    if lender is None:
        return to_login(request, "/lender/login")
    form = await checked_form(request)
    if form is None:
        return await csrf_failed(request)
    platform = request.app.state.platform
    try:
        await run_in_threadpool(run, platform, lender, form)
    except ValidationFailed as exc:
        draft = {**{k: v for k, v in form.items() if k != "csrf"},
                 "eligibility.grades": form.getlist("eligibility.grades")} if keep_draft else None
        data = await run_in_threadpool(_lender_data, platform, lender.code, errors_of(exc), draft)
        return await render(request, "finance/lender.html", data, status_of(exc))
    return redirect(request, done)


async def decide(request: Request) -> Response:
    """POST /lender/applications/{application_id}/decide: grant (with the amount lent) or decline."""
    decision = ""

    def run(platform: Any, lender: Any, form: Any) -> None:
        nonlocal decision
        decision = form.get("decision", "")
        amount = form_number(form.get("amount")) if decision == "granted" else None
        platform.lending.decide(lender.code, request.path_params["application_id"], decision, amount,
                                form.get("note", ""), platform.clock(), lender.identity)

    response = await _command(request, run, "/lender#applications")
    if response.status_code == 303 and decision:
        response.headers["location"] = f"/lender?decided={decision}#applications"
    return response


def product_from_form(form: Any) -> dict[str, Any]:
    """A loan product from the desk's flat form (`amount.min`, `eligibility.grades` ticked), typed by its schema;
    what does not convert is left for the schema to refuse by name."""
    flat = {k: v for k, v in form.items() if k not in ("csrf", "eligibility.grades") and str(v).strip() != ""}
    product = flat_forms.unflatten(schemas.load("lending/product.json")["properties"], flat)
    eligibility = dict(product.get("eligibility", {}))
    grades = [g for g in form.getlist("eligibility.grades") if g]
    if grades:
        eligibility["grades"] = grades
    product["eligibility"] = eligibility
    return json.loads(json.dumps(product, default=float))  # decimals as JSON numbers


async def publish(request: Request) -> Response:
    """POST /lender/products: publish a product (the same code again changes it)."""
    return await _command(request, lambda platform, lender, form: platform.lending.publish(
        lender.code, product_from_form(form), platform.clock(), lender.identity), "/lender?published=1#products",
        keep_draft=True)


async def withdraw(request: Request) -> Response:
    """POST /lender/products/{product_id}/withdraw: take a product off the public list."""
    return await _command(request, lambda platform, lender, form: platform.lending.withdraw(
        lender.code, request.path_params["product_id"], platform.clock(), lender.identity), "/lender#products")


async def lender_report_page(request: Request) -> Response:
    """The fuller report of a firm (the read is recorded), or the refusal (recorded too), as a page."""
    lender = await session_of(request, LENDER)
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
