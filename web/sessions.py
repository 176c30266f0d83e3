"""Browser sessions over HTTP: an opaque id in an HttpOnly, SameSite=Lax cookie (stores/sessions.py keeps the state).

Logging in replaces the session (no fixation). Every form carries the session's CSRF
token in a hidden field and every POST is checked against it; scripts send it as the
X-CSRF-Token header.
"""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from stores.sessions import ANONYMOUS, Session

COOKIE = "gongshi_session"
CSRF_FIELD, CSRF_HEADER = "csrf", "x-csrf-token"
_UNSET = object()


# -- per request ----------------------------------------------------------------------------------------
def current(request: Request) -> Session | None:
    """The request's valid session, if any (looked up once per request)."""
    found = getattr(request.state, "session", _UNSET)
    if found is _UNSET:
        raw = request.cookies.get(COOKIE)
        found = request.state.session = request.app.state.platform.sessions.get(raw) if raw else None
    return found


def ensure(request: Request) -> Session:
    """The request's session, starting an anonymous one (for a form's CSRF token) when there is none."""
    session = current(request)
    if session is None:
        session = request.state.session = request.app.state.platform.sessions.create(ANONYMOUS)
    return session


def replace(request: Request, kind: str, subject: str, department: str | None = None,
            expires_at: str | None = None) -> Session:
    """Log in: drop the old session and start a new one, so a planted session id is worthless."""
    store = request.app.state.platform.sessions
    old = current(request)
    if old is not None:
        store.delete(old.id_hash)
    request.state.session = store.create(kind, subject, department, expires_at)
    return request.state.session


def end(request: Request, response: Response) -> None:
    old = current(request)
    if old is not None:
        request.app.state.platform.sessions.delete(old.id_hash)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


def send_cookie(request: Request, response: Response) -> Response:
    """Send the cookie of a session started during this request."""
    session = getattr(request.state, "session", None)
    if session is not None and session.raw_id:
        response.set_cookie(COOKIE, session.raw_id, path="/", httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
    return response


async def csrf_valid(request: Request, form: dict | None = None) -> bool:
    """The POST carries this session's CSRF token (form field or header)."""
    session = current(request)
    submitted = request.headers.get(CSRF_HEADER) or (form.get(CSRF_FIELD) if form is not None else None)
    return session is not None and session.csrf_ok(submitted)
