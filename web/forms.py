"""HTML forms of the firm and reviewer pages: rendering with the session's CSRF token, checking it.

Every page with a form gets a session (an anonymous one before login), and every POST
must carry that session's token in the `csrf` field: a form on another site cannot.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.errors import FieldError, ValidationFailed
from stores.uploads import UploadRejected
from web import sessions
from web.render import render as render_page
from web.errors import errors_of, status_of
from web.uploads import check_request_size


async def render(request: Request, template: str, data: dict[str, Any], status: int = 200) -> Response:
    """A page through the portal's renderer, with the CSRF token and the session cookie."""
    session = await run_in_threadpool(sessions.ensure, request)
    data = {**data, "csrf": session.csrf, "session_kind": session.kind}
    return sessions.send_cookie(request, render_page(request, template, data, status))


def redirect(request: Request, url: str) -> Response:
    """303 See Other (post/redirect/get), carrying a session started by this request."""
    return sessions.send_cookie(request, RedirectResponse(url, status_code=303))


def to_login(request: Request, login: str) -> Response:
    return RedirectResponse(f"{login}?next={quote(request.url.path)}", status_code=303)


def safe_next(request: Request, prefix: str) -> str:
    """Where to go after logging in: only a page of this area, never another site."""
    target = request.query_params.get("next", prefix)
    return target if target.startswith(prefix) and not target.startswith("//") else prefix


async def checked_form(request: Request) -> Any | None:
    """The submitted form when its CSRF token is this session's, else None (uploads size-checked first)."""
    if request.headers.get("content-type", "").startswith("multipart/"):
        check_request_size(request, request.app.state.platform.uploads.policy)
    form = await request.form()
    session = await run_in_threadpool(sessions.current, request)
    return form if session is not None and session.csrf_ok(form.get(sessions.CSRF_FIELD)) else None


async def csrf_failed(request: Request) -> Response:
    return await message(request, "表单已失效", [FieldError(
        "csrf", "csrf", "表单已过期或来源不明，请返回上一页刷新后重新提交",
        "the form expired or did not come from this site; reload it and submit again")], 403)


async def message(request: Request, title: str, errors: list[FieldError], status: int) -> Response:
    return await render(request, "firm/message.html", {"title": title, "errors": errors}, status)


async def case_form(request: Request, actor: Any, number: str, step: Any, done_url: str,
                    refused_title: str) -> Response | tuple[Any, list[FieldError], int]:
    """GET a case, or POST a step on it: the redirect or refusal page, or (case, errors, status) to render.

    `step(form, case)` performs the POSTed action; its refusals are shown on the case page,
    except 403/404, which get a page of their own (the case is not the caller's to see).
    """
    cases = request.app.state.platform.cases
    try:
        case = await run_in_threadpool(cases.case, number)
        case.may_be_seen_by(actor)
        if request.method == "POST":
            form = await checked_form(request)
            if form is None:
                return await csrf_failed(request)
            await step(form, case)
            return redirect(request, done_url.format(number=case.number))
    except (ValidationFailed, UploadRejected) as exc:
        status = status_of(exc)
        if status in (403, 404):
            return await message(request, refused_title, errors_of(exc), status)
        return await run_in_threadpool(cases.case, number), errors_of(exc), status
    return case, [], 200


@dataclass(frozen=True)
class SignedIn:
    """The session a login form opens: its kind, who, their department, and a latest expiry."""

    kind: str
    subject: str
    department: str | None = None
    expires_at: str | None = None


class LoginRefused(Exception):
    """A login form's credentials were refused, with the status to answer with."""

    def __init__(self, status: int, refusal: FieldError):
        super().__init__(refusal.en)
        self.status, self.refusal = status, refusal


async def login_page(request: Request, template: str, area: str, sign_in: Callable[[Any], SignedIn],
                     kept: tuple[str, ...] = ()) -> Response:
    """GET: the login form; POST: check the CSRF token and the credentials, open a new session, go on.

    `sign_in(form)` runs in a worker thread and raises LoginRefused; the fields in `kept`
    are shown again with the refusal. Logging in replaces the session (no fixation).
    """
    target = safe_next(request, area)
    if request.method == "GET":
        return await render(request, template, {"next": target, "errors": []})
    form = await checked_form(request)
    if form is None:
        return await csrf_failed(request)
    try:
        opened = await run_in_threadpool(sign_in, form)
    except LoginRefused as refused:
        return await render(request, template, {"next": target, **{k: form.get(k, "") for k in kept},
                                                "errors": [refused.refusal]}, refused.status)
    await run_in_threadpool(sessions.replace, request, opened.kind, opened.subject, opened.department,
                            opened.expires_at)
    return redirect(request, target)
