"""Error answers of the JSON API: always JSON, always bilingual, never a bare 500."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


def error(status: int, code: str, zh: str, en: str, **extra: Any) -> JSONResponse:
    body = {"error": {"code": code, "message_zh": zh, "message_en": en, **extra}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def _wants_html(request: Request) -> bool:
    path = request.url.path
    machine = path.startswith(("/api", "/datastore", "/catalog.")) or path.endswith((".json", ".csv", ".ttl", ".rdf"))
    return not machine and "text/html" in request.headers.get("accept", "")


async def not_found(request: Request, exc: Exception) -> Response:
    zh, en = "找不到该页面或资源", f"nothing at {request.url.path}"
    if _wants_html(request):
        from web.pages import render  # the page renderer needs the app's templates

        return render(request, "error.html", {"status": 404, "code": "not_found", "zh": zh, "en": en}, status=404)
    return error(404, "not_found", zh, en)


async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
    return error(405, "method_not_allowed", "不支持该请求方法", f"{request.method} is not allowed here")


async def server_error(request: Request, exc: Exception) -> JSONResponse:
    return error(500, "internal", "服务器内部错误，已记录，请稍后重试", "internal error; it was logged, please retry later")
