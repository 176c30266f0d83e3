"""Department API tokens: printed once at creation, stored only as a hash.

Tokens are 256-bit random secrets, so a SHA-256 digest is the right store (a slow
password hash such as argon2 protects low-entropy passwords, which these are not).
A token reads `gs_<id>_<secret>`: the id finds the row, the secret is compared in
constant time.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from projections.db import Database

#: The roles of department staff. A `contributor` token belongs to a registered contributor of society-sourced
#: information instead (its credit code is kept where a staff token keeps its department); it may only report.
ROLES = ("submitter", "reviewer", "auditor", "publisher")
CONTRIBUTOR = "contributor"
#: A `lender` token belongs to a registered financial institution (domain/lenders.py), bound to its credit code
#: the same way; it may read the reports its consents allow and manage its products, nothing else.
LENDER = "lender"
#: A `platform` token belongs to the operator of an online trading platform (schemas/online.json `platforms`), bound
#: to its credit code; it may submit its own merchant list, nothing else.
PLATFORM = "platform"
BOUND_ROLES = (CONTRIBUTOR, LENDER, PLATFORM)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS auth_tokens (id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, "
    "department TEXT, role TEXT NOT NULL, label TEXT, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT)"
)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a token's id, its department and its role (a contributor: its credit code instead)."""

    token_id: str
    department: str | None
    role: str
    contributor: str | None = None
    lender: str | None = None
    platform: str | None = None

    @property
    def identity(self) -> str:
        return f"token:{self.token_id}"


class TokenError(Exception):
    """Why a token was refused: `status` is 401 (unknown, malformed) or 403 (expired, revoked)."""

    def __init__(self, status: int, zh: str, en: str):
        super().__init__(en)
        self.status, self.zh, self.en = status, zh, en


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class TokenStore:
    def __init__(self, db: Database):
        self.db = db
        db.execute(_SCHEMA)

    def create(self, *, department: str | None, role: str, label: str = "", days: int | None = 365) -> str:
        """Create a token and return it; this is the only time the secret exists in clear."""
        if role not in (*ROLES, *BOUND_ROLES):
            raise ValueError(f"role must be one of {', '.join((*ROLES, *BOUND_ROLES))}")
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        expires = (_now() + dt.timedelta(days=days)).isoformat() if days else None
        self.db.execute(
            "INSERT INTO auth_tokens (id, secret_hash, department, role, label, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token_id, _hash(secret), department, role, label, _now().isoformat(), expires))
        return f"gs_{token_id}_{secret}"

    def revoke(self, token_id: str) -> bool:
        rows = self.db.execute("SELECT id FROM auth_tokens WHERE id=? AND revoked_at IS NULL", (token_id,))
        if rows:
            self.db.execute("UPDATE auth_tokens SET revoked_at=? WHERE id=?", (_now().isoformat(), token_id))
        return bool(rows)

    def list(self) -> list[dict]:
        return self.db.query("SELECT id, department, role, label, created_at, expires_at, revoked_at "
                             "FROM auth_tokens ORDER BY created_at")

    def authenticate(self, token: str) -> Principal:
        parts = token.strip().split("_", 2)
        if len(parts) != 3 or parts[0] != "gs":
            raise TokenError(401, "令牌格式不正确", "malformed token")
        rows = self.db.query("SELECT * FROM auth_tokens WHERE id=?", (parts[1],))
        if not rows or not hmac.compare_digest(rows[0]["secret_hash"], _hash(parts[2])):
            raise TokenError(401, "令牌无效", "invalid token")
        row = rows[0]
        if row["revoked_at"]:
            raise TokenError(403, "令牌已被吊销", "this token was revoked")
        if row["expires_at"] and row["expires_at"] < _now().isoformat():
            raise TokenError(403, "令牌已过期，请申请新令牌", "this token has expired; ask for a new one")
        if row["role"] == CONTRIBUTOR:
            return Principal(row["id"], None, CONTRIBUTOR, contributor=row["department"])
        if row["role"] == LENDER:
            return Principal(row["id"], None, LENDER, lender=row["department"])
        if row["role"] == PLATFORM:
            return Principal(row["id"], None, PLATFORM, platform=row["department"])
        return Principal(row["id"], row["department"], row["role"])
