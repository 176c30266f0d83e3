"""The firm's traceability pages: /firm/trace (its batches), /firm/trace/new (register one), /firm/trace/{code}
(record a step). The same commands as the API (application/trace.py), with the firm's browser session and
CSRF-checked forms; the form's flat fields are read by domain/flat_forms like a CSV import's columns."""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

import schemas
from domain import flat_forms, trace_codes
from domain.errors import ValidationFailed
from domain.trace import TraceActor, rules
from projections import trace_queries
from stores.sessions import FIRM
from web import sessions
from web.errors import errors_of, status_of
from web.forms import checked_form, csrf_failed, redirect, render, to_login

FIRM_STEPS = ("shipped", "received", "sold", "returned", "destroyed")


async def _firm(request: Request) -> str | None:
    session = await run_in_threadpool(sessions.current, request)
    return session.subject if session and session.kind == FIRM else None


def _vocabulary() -> dict[str, Any]:
    return {"categories": rules()["categories"], "units": rules()["units"],
            "steps": {k: rules()["steps"][k] for k in FIRM_STEPS}}


async def home(request: Request) -> Response:
    code = await _firm(request)
    if code is None:
        return to_login(request, "/firm/login")
    platform = request.app.state.platform
    batches = await run_in_threadpool(trace_queries.of_firm, platform.views_db, code)
    for b in batches:
        b["printed"] = trace_codes.printed(b["code"])
        b["unit_name"] = rules()["units"].get(b["unit"], b["unit"])
    return await render(request, "firm/trace.html", {"credit_code": code, "batches": batches,
                                                     "saved": request.query_params.get("saved", "")})


async def new_batch(request: Request) -> Response:
    code = await _firm(request)
    if code is None:
        return to_login(request, "/firm/login")
    data = {"credit_code": code, "errors": [], "form": {}, **_vocabulary()}
    if request.method == "GET":
        return await render(request, "firm/trace_new.html", data)
    posted = await checked_form(request)
    if posted is None:
        return await csrf_failed(request)
    flat = {k: v for k, v in posted.items() if k != "csrf" and v != ""}
    body = {**flat_forms.unflatten(schemas.load("trace/batch.json")["properties"], flat), "registrant": code}
    actor = TraceActor(f"firm:{code}", credit_code=code)
    try:
        saved = await run_in_threadpool(request.app.state.platform.trace.register, actor, body)
    except ValidationFailed as exc:
        return await render(request, "firm/trace_new.html", {**data, "form": flat, "errors": errors_of(exc)},
                            status_of(exc))
    return redirect(request, f"/firm/trace?saved={saved.batch.code}")


async def batch_page(request: Request) -> Response:
    code = await _firm(request)
    if code is None:
        return to_login(request, "/firm/login")
    platform = request.app.state.platform
    batch = request.path_params["code"]
    chain = await run_in_threadpool(trace_queries.chain, platform.views_db, trace_codes.normalise(batch),
                                    platform.clock().isoformat())
    if chain is None:
        return await render(request, "error.html", {"status": 404, "code": "unknown_code", "as_of": None,
                                                    "zh": "没有该追溯码的批次", "en": "no batch has this code"}, 404)
    data = {"credit_code": code, "chain": chain, "printed": trace_codes.printed(chain["code"]), "errors": [],
            "form": {}, "holds": chain["holdings"].get(code, "0"), **_vocabulary()}
    if request.method == "GET":
        return await render(request, "firm/trace_batch.html", data)
    posted = await checked_form(request)
    if posted is None:
        return await csrf_failed(request)
    flat = {k: v for k, v in posted.items() if k != "csrf" and v != ""}
    actor = TraceActor(f"firm:{code}", credit_code=code)
    try:
        await run_in_threadpool(platform.trace.record, actor, chain["code"], flat)
    except ValidationFailed as exc:
        return await render(request, "firm/trace_batch.html", {**data, "form": flat, "errors": errors_of(exc)},
                            status_of(exc))
    return redirect(request, f"/firm/trace?saved={chain['code']}")
