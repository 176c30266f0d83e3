"""POST /api/v1/records: departments submit records, corrections and withdrawals."""
from __future__ import annotations

import json
from decimal import Decimal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.submission import ACCEPTED, DUPLICATE, REJECTED
from stores.tokens import Principal, TokenError
from web.errors import error

MAX_ITEMS = 10_000


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing early (by header) or while streaming past `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return header.strip() or request.headers.get("x-api-key") or None


async def authenticate(request: Request, roles: tuple[str, ...]) -> Principal | Response:
    token = bearer_token(request)
    if not token:
        return error(401, "unauthenticated", "需要部门 API 令牌（Authorization: Bearer <token>）",
                     "a department API token is required (Authorization: Bearer <token>)")
    platform = request.app.state.platform
    try:
        principal = await run_in_threadpool(platform.tokens.authenticate, token)
    except TokenError as e:
        return error(e.status, "token", e.zh, e.en)
    if principal.role not in roles:
        return error(403, "forbidden", f"该令牌的角色（{principal.role}）无权执行此操作",
                     f"a {principal.role} token may not do this (needs: {', '.join(roles)})")
    return principal


async def submit_records(request: Request) -> Response:
    principal = await authenticate(request, ("submitter",))
    if isinstance(principal, Response):
        return principal
    platform = request.app.state.platform
    limit = platform.settings.max_body
    try:
        body = await read_body(request, limit)
    except BodyTooLarge:
        return error(413, "too_large", f"请求体超过上限 {limit} 字节，请分批提交",
                     f"the body exceeds the limit of {limit} bytes; submit in smaller batches", limit=limit)
    try:
        payload = json.loads(body, parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        return error(400, "malformed_json", f"请求体不是合法的 JSON：{e}", f"the body is not valid JSON: {e}")
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        return error(400, "empty", "没有提交任何记录", "the batch is empty")
    if len(items) > MAX_ITEMS:
        return error(413, "too_many", f"单批最多 {MAX_ITEMS} 条记录", f"at most {MAX_ITEMS} records per batch", limit=MAX_ITEMS)
    result = await run_in_threadpool(
        platform.records.submit, items, department=principal.department, submitter=principal.identity)
    counts = {s: result.count(s) for s in (ACCEPTED, DUPLICATE, REJECTED)}
    status = 422 if counts[REJECTED] == len(items) else 207 if counts[REJECTED] else 200
    return JSONResponse({
        "position": result.position,
        "visible": True,  # the read models caught up before this answer
        "counts": counts,
        "items": [i.as_dict() for i in result.items],
    }, status_code=status)
