"""Error answers of the JSON API: always JSON, always bilingual, never a bare 500."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from domain.errors import (
    ConflictError,
    FieldError,
    ForbiddenError,
    NotEligibleError,
    NotFoundError,
    ValidationFailed,
)
from stores.uploads import UploadRejected
from web.render import render

#: The one translation of refused commands into HTTP statuses (the first class that matches).
STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (NotFoundError, 404), (ForbiddenError, 403), (ConflictError, 409), (NotEligibleError, 409), (ValidationFailed, 422))
Refusal = ValidationFailed | UploadRejected


def error(status: int, code: str, zh: str, en: str, **extra: Any) -> JSONResponse:
    body = {"error": {"code": code, "message_zh": zh, "message_en": en, **extra}}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def status_of(exc: Refusal) -> int:
    """The status of a refused command or upload (an upload's refusal names its own: 411, 413, 415)."""
    if isinstance(exc, UploadRejected):
        return exc.status
    return next(status for cls, status in STATUSES if isinstance(exc, cls))


def errors_of(exc: Refusal) -> list[FieldError]:
    """Every field at fault, in Chinese and English."""
    if isinstance(exc, UploadRejected):
        return [FieldError(exc.field, exc.code, exc.zh, exc.en)]
    return exc.errors


def refusal(exc: Refusal) -> JSONResponse:
    """A bilingual JSON error naming every field at fault."""
    found = errors_of(exc)
    return error(status_of(exc), found[0].code, "；".join(e.zh for e in found), "; ".join(e.en for e in found),
                 field=found[0].field, errors=[e.as_dict() for e in found], **getattr(exc, "extra", {}))


def _wants_html(request: Request) -> bool:
    path = request.url.path
    machine = path.startswith(("/api", "/datastore", "/catalog.")) or path.endswith((".json", ".csv", ".ttl", ".rdf"))
    return not machine and "text/html" in request.headers.get("accept", "")


async def not_found(request: Request, exc: Exception) -> Response:
    zh, en = "找不到该页面或资源", f"nothing at {request.url.path}"
    if _wants_html(request):
        return render(request, "error.html", {"status": 404, "code": "not_found", "zh": zh, "en": en}, status=404)
    return error(404, "not_found", zh, en)


async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
    return error(405, "method_not_allowed", "不支持该请求方法", f"{request.method} is not allowed here")


async def server_error(request: Request, exc: Exception) -> JSONResponse:
    return error(500, "internal", "服务器内部错误，已记录，请稍后重试", "internal error; it was logged, please retry later")
