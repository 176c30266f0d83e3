"""POST /api/v1/records: departments submit records, corrections and withdrawals."""
from __future__ import annotations

import json
from decimal import Decimal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.submission import ACCEPTED, DUPLICATE, REJECTED
from web.errors import error
from web.http import BodyTooLarge, authenticate, read_body

MAX_ITEMS = 10_000


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
