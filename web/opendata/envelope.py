"""CKAN's action API envelope: request parsing, parameter coercion, errors and answers.

Everything a real CKAN client relies on is reproduced exactly (shared/CKAN.md): the
`{"help", "success", "result"|"error"}` envelope, the error types with their HTTP codes
and message prefixes, GET query strings where a repeated key is a list, JSON or form
bodies, and lenient booleans and integers.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from stores.tokens import Principal, TokenError
from web.context import Platform

_TRUE = {"true", "1", "yes", "on", "t", "y"}
_FALSE = {"false", "0", "no", "off", "f", "n", ""}


class ActionError(Exception):
    status = 500
    type = "Internal Server Error"

    def body(self) -> dict[str, Any]:
        return {"__type": self.type, "message": str(self)}


class ValidationError(ActionError):
    """409; `errors` maps each field to a list of messages."""

    status, type = 409, "Validation Error"

    def __init__(self, errors: dict[str, Any]):
        super().__init__(json.dumps(errors, ensure_ascii=False))
        self.errors = errors

    def body(self) -> dict[str, Any]:
        return {**self.errors, "__type": self.type}


class NotAuthorized(ActionError):
    status, type = 403, "Authorization Error"

    def body(self) -> dict[str, Any]:
        return {"__type": self.type, "message": f"Access denied: {self}" if str(self) else "Access denied"}


class NotFound(ActionError):
    status, type = 404, "Not Found Error"

    def body(self) -> dict[str, Any]:
        return {"__type": self.type, "message": f"Not found: {self}" if str(self) else "Not found"}


class SearchQueryError(ActionError):
    status, type = 400, "Search Query Error"

    def body(self) -> dict[str, Any]:
        return {"__type": self.type, "message": f"Search Query is invalid: {self.args!r}"}


class BadRequest(Exception):
    """Answered as CKAN does: 400 with a bare JSON string `"Bad request: ..."`."""


@dataclass
class Context:
    """What an action sees: the request's site, the platform, the caller."""

    request: Request
    platform: Platform
    action: str
    api_path: str  # "/api/3/action" or "/api/action"
    principal: Principal | None
    files: dict[str, UploadFile] = field(default_factory=dict)

    @property
    def site(self) -> str:
        return site_url(self.request)

    @property
    def opendata(self) -> Any:
        return self.platform.opendata


def site_url(request: Request) -> str:
    """The site's base URL: GONGSHI_SITE_URL when set (behind a proxy), else the request's."""
    return os.environ.get("GONGSHI_SITE_URL", "").rstrip("/") or str(request.base_url).rstrip("/")


# -- parameters ---------------------------------------------------------------------------------------
def as_bool(value: Any, name: str, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError({name: ["Value must be a boolean"]})


def as_int(value: Any, name: str, default: int | None = None, *, minimum: int | None = None,
           maximum: int | None = None) -> int | None:
    """An integer (strings accepted); `maximum` clamps as CKAN's limit_to_configured_maximum does."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise ValidationError({name: ["Invalid integer"]})
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError({name: ["Invalid integer"]}) from None
    if minimum is not None and number < minimum:
        raise ValidationError({name: ["Must be a natural number" if minimum == 0 else f"Must be at least {minimum}"]})
    return min(number, maximum) if maximum is not None else number


def as_list(value: Any, name: str) -> list[Any]:
    """A list from a list, a JSON list string, or a comma-separated string."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                raise ValidationError({name: ["Invalid JSON list"]}) from None
            if isinstance(parsed, list):
                return parsed
        return [part.strip() for part in text.split(",") if part.strip()]
    raise ValidationError({name: ["Must be a list"]})


def as_json(value: Any, name: str) -> Any:
    """A dict or list given as such or as a JSON string."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ValidationError({name: ["Could not parse as valid JSON"]}) from None
    return value


def required(data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    if value is None or value == "" or value == []:
        raise ValidationError({name: ["Missing value"]})
    return value


# -- request and response ---------------------------------------------------------------------------
async def request_data(request: Request, *, allow_get: bool) -> tuple[dict[str, Any], dict[str, UploadFile]]:
    """The action's parameters: query string for GET, JSON or form body for POST."""
    if request.method in ("GET", "HEAD"):
        if not allow_get:
            raise BadRequest("JSON Error: Invalid request. Please use POST method for your request")
        data: dict[str, Any] = {}
        for key in request.query_params:
            values = request.query_params.getlist(key)
            data[key] = values[0] if len(values) == 1 else values
        return data, {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.form(max_files=10, max_fields=1000, max_part_size=50 * 1024 * 1024)
        data, files = {}, {}
        for key in form:
            values = form.getlist(key)
            uploads = [v for v in values if isinstance(v, UploadFile)]
            if uploads:
                files[key] = uploads[0]
                continue
            data[key] = values[0] if len(values) == 1 else list(values)
        return data, files
    body = await request.body()
    if not body.strip():
        return {}, {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise BadRequest(f"JSON Error: Error decoding JSON data. Error: {e!r}") from None
    if not isinstance(data, dict):
        raise BadRequest(f"JSON Error: Request data JSON decoded to {data!r} but it needs to be a dictionary.")
    return data, {}


async def principal_of(request: Request, platform: Platform) -> Principal | None:
    """The caller's token (raw, `Bearer`, or X-CKAN-API-Key); an invalid token is anonymous."""
    header = request.headers.get("authorization", "").strip()
    token = header[7:].strip() if header.lower().startswith("bearer ") else header
    token = token or request.headers.get("x-ckan-api-key", "").strip()
    if not token:
        return None
    try:
        return await run_in_threadpool(platform.tokens.authenticate, token)
    except TokenError:
        return None


def help_url(request: Request, api_path: str, name: str) -> str:
    return f"{site_url(request)}/api/3/action/help_show?name={name}"


def envelope(request: Request, api_path: str, name: str, result: Any) -> JSONResponse:
    return JSONResponse({"help": help_url(request, api_path, name), "success": True, "result": result})


def failure(request: Request, api_path: str, name: str, error: ActionError) -> JSONResponse:
    return JSONResponse({"help": help_url(request, api_path, name), "success": False, "error": error.body()},
                        status_code=error.status)


def bad_request(message: str) -> Response:
    return JSONResponse(f"Bad request: {message}", status_code=400)


ActionFunction = Callable[[Context, dict[str, Any]], Any]
