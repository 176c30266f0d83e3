"""Recording traceability facts over HTTP: POST /api/v1/trace/batches and /api/v1/trace/batches/{code}/events.

The entity in the chain records with its firm browser session (API writes carry
X-CSRF-Token); a department records with its submitter token, on an entity's behalf (naming it
in `registrant` or `by`), and records tests, recalls and sales halts (only the departments
schemas/trace.json names for the product's category). Bodies are validated by the JSON Schemas
of schemas/trace/; a refusal names the field in Chinese and English and stores nothing.
"""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain import trace_codes
from domain.errors import ValidationFailed
from domain.trace import TraceActor, TraceBatch
from stores.sessions import FIRM
from web import sessions
from web.errors import error, refusal
from web.http import authenticate, json_object

MAX_JSON = 256 * 1024


async def actor_of(request: Request) -> TraceActor | Response:
    """A department's submitter token, or a firm's browser session with its CSRF token."""
    if request.headers.get("authorization") or request.headers.get("x-api-key"):
        principal = await authenticate(request, ("submitter",))
        if isinstance(principal, Response):
            return principal
        department = request.app.state.platform.ledger.catalog.department(principal.department or "")
        return TraceActor(principal.identity, department=principal.department,
                          department_key=department.key if department else None)
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind != FIRM:
        return error(401, "unauthenticated", "请先以企业账户登录，或使用部门报送令牌",
                     "log in with a firm account, or use a department submitter token")
    if not session.csrf_ok(request.headers.get(sessions.CSRF_HEADER)):
        return error(403, "csrf", "缺少或错误的 CSRF 令牌（X-CSRF-Token）", "missing or wrong CSRF token (X-CSRF-Token)")
    return TraceActor(f"firm:{session.subject}", credit_code=session.subject)


def batch_view(batch: TraceBatch) -> dict[str, Any]:
    return {"code": batch.code, "printed": trace_codes.printed(batch.code), "url": f"/trace/{batch.code}",
            "api_url": f"/api/v1/trace/{batch.code}", "product_name": batch.product["name"],
            "quantity": format(batch.quantity, "f"), "unit": batch.product["unit"], "registrant": batch.registrant}


async def register(request: Request) -> Response:
    actor = await actor_of(request)
    if isinstance(actor, Response):
        return actor
    platform = request.app.state.platform
    try:
        body = await json_object(request, MAX_JSON, "一个 JSON 对象（一个产品批次）")
        saved = await run_in_threadpool(platform.trace.register, actor, body)
    except ValidationFailed as exc:
        return refusal(exc)
    return JSONResponse({"changed": saved.position is not None, "position": saved.position,
                         "batch": batch_view(saved.batch)}, status_code=201 if saved.position else 200)


async def record(request: Request) -> Response:
    actor = await actor_of(request)
    if isinstance(actor, Response):
        return actor
    platform = request.app.state.platform
    try:
        body = await json_object(request, MAX_JSON, "一个 JSON 对象（一个环节）")
        saved = await run_in_threadpool(platform.trace.record, actor, request.path_params["code"], body)
    except ValidationFailed as exc:
        return refusal(exc)
    return JSONResponse({"changed": saved.position is not None, "position": saved.position,
                         "batch": batch_view(saved.batch), "created": [batch_view(b) for b in saved.created]},
                        status_code=201 if saved.position else 200)
