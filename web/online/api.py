"""The online-presences JSON API.

    POST /api/v1/online-presences                  a firm declares one of its shops or websites (its session,
                                                   X-CSRF-Token), or a platform submits its merchant list
                                                   ({"rows": [...]}, its `platform` token); all rows or none
    GET  /api/v1/entities/{credit_code}/online-presences   an operator's presences and marks (public)
    GET  /api/v1/online-presences/contested        presences claimed by two credit codes (the market regulator)

Thin: who is calling, the body, one service call, the answer; refusals are bilingual 4xx naming the field.
"""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.codes import CodeError, normalise, validate_credit_code
from domain.errors import ValidationFailed
from projections import online as views
from stores.sessions import FIRM
from stores.tokens import PLATFORM
from web import sessions
from web.errors import error, refusal
from web.http import authenticate, json_object

MAX_JSON = 4 * 1024 * 1024  # a platform's list of 5,000 shops


async def declare_or_list(request: Request) -> Response:
    platform = request.app.state.platform
    today = platform.clock()
    if request.headers.get("authorization") or request.headers.get("x-api-key"):
        principal = await authenticate(request, (PLATFORM,))
        if isinstance(principal, Response):
            return principal
        try:
            body = await json_object(request, MAX_JSON, "平台报送的网店名单（JSON 对象，rows 为各行）")
            answer = await run_in_threadpool(platform.online.submit_list, principal.platform or "", body.get("rows"),
                                             today, principal.identity)
        except ValidationFailed as exc:
            return refusal(exc)
        return JSONResponse(answer, status_code=201)
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind != FIRM:
        return error(401, "unauthenticated", "请先登录企业账户，或使用平台 API 令牌",
                     "log in as a firm, or use a platform API token")
    if not session.csrf_ok(request.headers.get(sessions.CSRF_HEADER)):
        return error(403, "csrf", "缺少或错误的 CSRF 令牌（X-CSRF-Token）", "missing or wrong CSRF token (X-CSRF-Token)")
    try:
        body = await json_object(request, 64 * 1024, "一个网络经营场所（JSON 对象）")
        key, _ = await run_in_threadpool(platform.online.declare, session.subject, body, today,
                                         f"firm:{session.subject}")
    except ValidationFailed as exc:
        return refusal(exc)
    found = next((p for p in await run_in_threadpool(views.presences_of, platform.views_db, session.subject)
                  if p["presence_key"] == key), None)
    return JSONResponse(found, status_code=201)


async def of_entity(request: Request) -> Response:
    raw = request.path_params["credit_code"]
    try:
        code = validate_credit_code(normalise(raw))[0]
    except CodeError as e:
        return error(400, "bad_parameter", e.zh, e.en, field="credit_code")
    rows = await run_in_threadpool(views.presences_of, request.app.state.platform.views_db, code)
    return JSONResponse({"credit_code": code, "presences": [_public(r) for r in rows]})


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "mark_url": f"/marks/{row['mark_id']}" if row.get("mark_id") else None}


async def contested(request: Request) -> Response:
    principal = await authenticate(request, ("reviewer",))
    if isinstance(principal, Response):
        return principal
    rows = await run_in_threadpool(views.contested, request.app.state.platform.views_db)
    return JSONResponse({"presences": rows})


async def settle(request: Request) -> Response:
    """POST /api/v1/online-presences/{presence_key}/settle: the market regulator decides who operates it."""
    principal = await authenticate(request, ("reviewer",))
    if isinstance(principal, Response):
        return principal
    platform = request.app.state.platform
    try:
        body = await json_object(request, 16 * 1024)
        position = await run_in_threadpool(platform.online.settle, principal.department or "",
                                           request.path_params["presence_key"], body.get("credit_code"),
                                           body.get("reason"), platform.clock(), principal.identity)
    except ValidationFailed as exc:
        return refusal(exc)
    found = await run_in_threadpool(views.shop, platform.views_db, request.path_params["presence_key"])
    return JSONResponse({**(found or {}), "position": position})
