"""Who is calling and what they sent: bearer-token authentication and bounded body reading, for every API."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from domain.errors import FieldError, ValidationFailed
from stores.tokens import Principal, TokenError
from web.errors import error


class BodyTooLarge(Exception):
    """The body is over the endpoint's limit (a 413 answer)."""


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


async def json_object(request: Request, limit: int, what: str = "JSON 对象") -> dict[str, Any]:
    """The body as one JSON object (numbers with a fraction as decimals), or ValidationFailed naming `body`."""
    try:
        body = json.loads(await read_body(request, limit) or b"{}", parse_float=Decimal)
    except BodyTooLarge:
        raise ValidationFailed([FieldError("body", "too_large", f"请求体过大（上限 {limit // 1024} KB）",
                                           f"the body is over {limit // 1024} KB")]) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValidationFailed([FieldError("body", "malformed_json", f"请求体不是合法的 JSON：{e}",
                                           f"the body is not valid JSON: {e}")]) from None
    if not isinstance(body, dict):
        raise ValidationFailed([FieldError("body", "type", f"请求体应为{what}", "the body must be a JSON object")])
    return body


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


