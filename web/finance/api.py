"""The 信易贷 JSON API: firms grant and revoke consents and apply for loans; lenders read reports, publish products.

    POST /api/v1/consents                       a firm grants a registered lender consent (201)
    GET  /api/v1/consents                       a firm: its consents and every read of its report (and refusal);
                                                a lender: the consents it holds
    POST /api/v1/consents/{consent_id}/revoke   the firm revokes
    GET  /api/v1/lender/reports/{credit_code}   the fuller report, with consent; 403 without (recorded either way)
    GET  /api/v1/finance/products               the products on offer (public)
    POST /api/v1/lender/products                a lender publishes (or changes) a product
    POST /api/v1/lender/products/{product_id}/withdraw
    GET  /api/v1/finance/eligibility            a firm: every product, eligible or why not
    POST /api/v1/loan-applications              a firm applies; the application carries a consent (201)
    GET  /api/v1/loan-applications              a firm's own, or those made to a lender
    POST /api/v1/loan-applications/{application_id}/decide   the lender: granted or declined

Thin: who is calling (web/finance/who.py), the body, one service call, the answer; refusals are bilingual 4xx.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.errors import ValidationFailed
from projections import lending_queries as queries
from projections.public import Moment
from stores.sessions import FIRM, LENDER
from web.errors import refusal
from web.finance.who import Caller, caller
from web.http import json_object

MAX_JSON = 64 * 1024
Handler = Callable[[Request, Caller], Awaitable[Response]]


def endpoint(kinds: tuple[str, ...], *, write: bool) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """An endpoint of (request, caller): the caller is authenticated first; refused commands become 4xx."""
    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            who = await caller(request, write=write, kinds=kinds)
            if isinstance(who, Response):
                return who
            try:
                return await handler(request, who)
            except ValidationFailed as exc:
                return refusal(exc)
        handle.__name__, handle.__doc__ = handler.__name__, handler.__doc__
        return handle
    return wrap


def _platform(request: Request) -> Any:
    return request.app.state.platform


def _now(request: Request) -> Moment:
    return Moment.now(_platform(request).clock())


# -- consents ------------------------------------------------------------------------------------------------
@endpoint((FIRM,), write=True)
async def grant_consent(request: Request, who: Caller) -> Response:
    platform = _platform(request)
    body = await json_object(request, MAX_JSON, "一项授权（JSON 对象）")
    consent_id, position = await run_in_threadpool(platform.lending.grant, who.code, body, platform.clock(),
                                                   who.identity)
    consent = await run_in_threadpool(platform.lending.consent, consent_id)
    return JSONResponse({**consent.as_dict(platform.clock()), "position": position}, status_code=201,
                        headers={"Location": "/api/v1/consents"})


@endpoint((FIRM, LENDER), write=False)
async def list_consents(request: Request, who: Caller) -> Response:
    platform, today = _platform(request), _platform(request).clock()
    if who.kind == LENDER:
        rows = await run_in_threadpool(queries.consents_of_lender, platform.views_db, who.code, today)
        return JSONResponse({"today": today.isoformat(), "consents": rows})
    rows = await run_in_threadpool(queries.consents_of_firm, platform.views_db, who.code, today)
    reads = await run_in_threadpool(queries.reads_of_firm, platform.views_db, who.code)
    return JSONResponse({"today": today.isoformat(), "consents": rows, "reads": reads})


@endpoint((FIRM,), write=True)
async def revoke_consent(request: Request, who: Caller) -> Response:
    platform = _platform(request)
    consent_id = request.path_params["consent_id"]
    position = await run_in_threadpool(platform.lending.revoke, who.code, consent_id, platform.clock(), who.identity)
    consent = await run_in_threadpool(platform.lending.consent, consent_id)
    return JSONResponse({**consent.as_dict(platform.clock()), "position": position})


# -- the lender's report ---------------------------------------------------------------------------------------
def read_report(platform: Any, who: Caller, code: str, consent: str | None) -> dict[str, Any]:
    """The one way a lender's read runs (the API and the lender's pages)."""
    return platform.lender_reports.read(who.code, who.identity, code, consent, Moment.now(platform.clock()))


@endpoint((LENDER,), write=False)
async def lender_report(request: Request, who: Caller) -> Response:
    consent = request.query_params.get("consent", "").strip() or None
    answer = await run_in_threadpool(read_report, _platform(request), who, request.path_params["code"], consent)
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})


# -- products --------------------------------------------------------------------------------------------------
async def products(request: Request) -> Response:
    """GET /api/v1/finance/products: every product on offer, public."""
    rows = await run_in_threadpool(queries.products, _platform(request).views_db)
    return JSONResponse({"count": len(rows), "products": rows})


@endpoint((LENDER,), write=True)
async def publish_product(request: Request, who: Caller) -> Response:
    platform = _platform(request)
    body = await json_object(request, MAX_JSON, "一个贷款产品（JSON 对象）")
    pid, position, created = await run_in_threadpool(platform.lending.publish, who.code, body, platform.clock(),
                                                     who.identity)
    return JSONResponse({"product_id": pid, "position": position, "created": created},
                        status_code=201 if created else 200)


@endpoint((LENDER,), write=True)
async def withdraw_product(request: Request, who: Caller) -> Response:
    platform = _platform(request)
    position = await run_in_threadpool(platform.lending.withdraw, who.code, request.path_params["product_id"],
                                       platform.clock(), who.identity)
    return JSONResponse({"product_id": request.path_params["product_id"], "status": "withdrawn",
                         "position": position})


# -- applications ----------------------------------------------------------------------------------------------
@endpoint((FIRM,), write=False)
async def eligibility(request: Request, who: Caller) -> Response:
    rows = await run_in_threadpool(_platform(request).lending.eligibility, who.code, _now(request))
    return JSONResponse({"today": _now(request).today, "products": rows})


@endpoint((FIRM,), write=True)
async def apply(request: Request, who: Caller) -> Response:
    platform = _platform(request)
    body = await json_object(request, MAX_JSON, "一份贷款申请（JSON 对象）")
    aid, consent_id, position = await run_in_threadpool(platform.lending.apply, who.code, body, _now(request),
                                                        who.identity)
    return JSONResponse({"application_id": aid, "consent_id": consent_id, "position": position,
                         "status": "submitted"}, status_code=201, headers={"Location": "/api/v1/loan-applications"})


@endpoint((FIRM, LENDER), write=False)
async def list_applications(request: Request, who: Caller) -> Response:
    db = _platform(request).views_db
    if who.kind == LENDER:
        rows = await run_in_threadpool(lambda: queries.applications(db, lender_code=who.code))
    else:
        rows = await run_in_threadpool(lambda: queries.applications(db, credit_code=who.code))
    return JSONResponse({"count": len(rows), "applications": rows})


@endpoint((LENDER,), write=True)
async def decide_application(request: Request, who: Caller) -> Response:
    platform = _platform(request)
    body = await json_object(request, MAX_JSON)
    position = await run_in_threadpool(platform.lending.decide, who.code, request.path_params["application_id"],
                                       body.get("decision"), body.get("amount"), body.get("note"), platform.clock(),
                                       who.identity)
    return JSONResponse({"application_id": request.path_params["application_id"], "decision": body.get("decision"),
                         "position": position})
