"""What a contribution carries over HTTP (a JSON body, or a form with evidence files), and who is acting."""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from domain.cases import Actor
from stores.sessions import CONTRIBUTOR, REVIEWER
from stores.tokens import CONTRIBUTOR as CONTRIBUTOR_ROLE
from web import sessions
from web.errors import error
from web.firms.cases import actor_of
from web.http import authenticate, json_object

MAX_JSON = 256 * 1024
FILES = {"evidence": "evidence"}
SOURCE_FIELDS = ("type", "title", "url", "published_on")


async def contribution_of(request: Request) -> tuple[dict[str, Any], Any]:
    """(the contribution, the form for its files, or None for JSON)."""
    if request.headers.get("content-type", "").startswith("application/json"):
        return await json_object(request, MAX_JSON, "一条社会信用信息（JSON 对象）"), None
    form = await request.form()
    return from_form(form), form


def from_form(form: Any) -> dict[str, Any]:
    """The form's flat fields (`source_type`, `source_title`...) as the JSON shape schemas/contribution.json has."""
    data = {k: form.get(k, "") for k in ("credit_code", "category", "summary", "happened_on")}
    source = {k: form.get(f"source_{k}", "") for k in SOURCE_FIELDS}
    source = {k: v for k, v in source.items() if v}
    if source:
        data["source"] = source
    return data


async def step_of(request: Request) -> dict[str, Any]:
    """A department's decision: `reason` (required to refuse; an optional note to confirm), JSON or a form."""
    if request.headers.get("content-type", "").startswith("application/json"):
        return await json_object(request, MAX_JSON)
    form = await request.form()
    return {"reason": form.get("reason")}


async def actor(request: Request, *, write: bool) -> Actor | Response:
    """A contributor's or a reviewer's bearer token, or their browser session (whose writes carry its CSRF token)."""
    if request.headers.get("authorization") or request.headers.get("x-api-key"):
        principal = await authenticate(request, (CONTRIBUTOR_ROLE, "reviewer"))
        if isinstance(principal, Response):
            return principal
        if principal.contributor:
            return Actor.contributor_of(principal.contributor)
        return Actor.reviewer(principal.identity, principal.department)
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind not in (CONTRIBUTOR, REVIEWER):
        return error(401, "unauthenticated", "请先以信息报送方登录，或使用报送方或审核人员 API 令牌",
                     "log in as a contributor, or use a contributor or reviewer API token")
    if write and not session.csrf_ok(request.headers.get(sessions.CSRF_HEADER)):
        return error(403, "csrf", "缺少或错误的 CSRF 令牌（X-CSRF-Token）",
                     "missing or wrong CSRF token (X-CSRF-Token)")
    return actor_of(session)
