"""Browser sessions: an opaque id in an HttpOnly, SameSite=Lax cookie; the state on the server.

The cookie holds 256 random bits; the server keeps only their SHA-256 with the session's
kind (anonymous, firm, reviewer), who it is, its CSRF token and its expiry, so nothing
needs a signing secret and logging out really ends the session. Logging in replaces the
session (no fixation). Every form carries the session's CSRF token in a hidden field and
every POST is checked against it; scripts send it as the X-CSRF-Token header.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from projections.db import Database

COOKIE = "gongshi_session"
ANONYMOUS, FIRM, REVIEWER = "anonymous", "firm", "reviewer"
ANONYMOUS_HOURS = 2
CSRF_FIELD, CSRF_HEADER = "csrf", "x-csrf-token"
_UNSET = object()

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS web_sessions (id_hash TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT, "
    "department TEXT, csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS web_sessions_expiry ON web_sessions (expires_at)",
)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Session:
    id_hash: str
    kind: str
    subject: str | None
    department: str | None
    csrf: str
    expires_at: str
    raw_id: str | None = None  # set only when just created: the cookie still has to be sent

    def csrf_ok(self, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(self.csrf, str(submitted))


class SessionStore:
    def __init__(self, db: Database, hours: int):
        self.db = db
        self.hours = hours
        for statement in _SCHEMA:
            db.execute(statement)

    def create(self, kind: str, subject: str | None = None, department: str | None = None,
               expires_at: str | None = None) -> Session:
        raw = secrets.token_urlsafe(32)
        hours = ANONYMOUS_HOURS if kind == ANONYMOUS else self.hours
        expires = (_now() + dt.timedelta(hours=hours)).isoformat()
        expires = min(expires, expires_at) if expires_at else expires
        session = Session(_hash(raw), kind, subject, department, secrets.token_urlsafe(24), expires, raw)
        self.db.execute("DELETE FROM web_sessions WHERE expires_at < ?", (_now().isoformat(),))
        self.db.execute(
            "INSERT INTO web_sessions (id_hash, kind, subject, department, csrf, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (session.id_hash, kind, subject, department, session.csrf, _now().isoformat(), expires))
        return session

    def get(self, raw: str) -> Session | None:
        rows = self.db.query("SELECT * FROM web_sessions WHERE id_hash=?", (_hash(raw),))
        if not rows or rows[0]["expires_at"] < _now().isoformat():
            return None
        row = rows[0]
        if row["kind"] == REVIEWER and not self._token_active(row["subject"]):
            self.delete(row["id_hash"])
            return None
        return Session(row["id_hash"], row["kind"], row["subject"], row["department"], row["csrf"], row["expires_at"])

    def _token_active(self, token_id: str) -> bool:
        """A reviewer's session lasts only while the API token it was opened with is valid (web/auth.py's table)."""
        rows = self.db.query("SELECT role, revoked_at, expires_at FROM auth_tokens WHERE id=?", (token_id,))
        return bool(rows) and rows[0]["role"] == "reviewer" and not rows[0]["revoked_at"] and (
            not rows[0]["expires_at"] or rows[0]["expires_at"] > _now().isoformat())

    def delete(self, id_hash: str) -> None:
        self.db.execute("DELETE FROM web_sessions WHERE id_hash=?", (id_hash,))


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
