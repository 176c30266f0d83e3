"""Browser sessions kept on the server: the cookie carries an opaque id, this store the state.

The cookie holds 256 random bits; the server keeps only their SHA-256 with the session's
kind (anonymous, firm, reviewer, contributor, lender), who it is, its CSRF token and its expiry, so nothing
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

from projections.db import Database

ANONYMOUS, FIRM, REVIEWER, CONTRIBUTOR, LENDER = "anonymous", "firm", "reviewer", "contributor", "lender"
ANONYMOUS_HOURS = 2

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
        """A reviewer's session lasts only while the API token it was opened with is valid (stores/tokens.py's table)."""
        rows = self.db.query("SELECT role, revoked_at, expires_at FROM auth_tokens WHERE id=?", (token_id,))
        return bool(rows) and rows[0]["role"] == "reviewer" and not rows[0]["revoked_at"] and (
            not rows[0]["expires_at"] or rows[0]["expires_at"] > _now().isoformat())

    def delete(self, id_hash: str) -> None:
        self.db.execute("DELETE FROM web_sessions WHERE id_hash=?", (id_hash,))
