"""Firm accounts: one per credit code, activated once by a link, passwords hashed with argon2.

An administrator creates the account (`gongshi account create --credit-code CODE`), which
prints a one-time activation link valid for a few days; the firm chooses its password
there. Only hashes are stored: argon2id for passwords (low entropy, so a slow hash),
SHA-256 for activation tokens (256 random bits). After repeated failed logins the
account is locked for a while; an unknown credit code gets the same answer and costs
the same time as a wrong password, so accounts cannot be discovered by probing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.codes import CodeError, validate_credit_code
from domain.clock import CHINA
from projections.db import Database

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS firm_accounts (credit_code TEXT PRIMARY KEY, password_hash TEXT, "
    "activation_hash TEXT, activation_expires TEXT, created_at TEXT NOT NULL, activated_at TEXT, "
    "failures BIGINT NOT NULL, locked_until TEXT, last_login_at TEXT)",
    "CREATE INDEX IF NOT EXISTS firm_accounts_activation ON firm_accounts (activation_hash)",
)


class AccountError(Exception):
    """A refused account operation, with the HTTP status it answers with."""

    def __init__(self, status: int, code: str, zh: str, en: str, field: str = "password"):
        super().__init__(en)
        self.status, self.code, self.zh, self.en, self.field = status, code, zh, en, field


@dataclass(frozen=True)
class AccountPolicy:
    min_password_length: int
    max_password_length: int
    max_failures: int
    lockout_minutes: int
    activation_days: int
    session_hours: int

    @classmethod
    def from_limits(cls, limits: dict[str, Any]) -> AccountPolicy:
        a = limits["accounts"]
        return cls(a["min_password_length"], a["max_password_length"], a["max_failures"], a["lockout_minutes"],
                   a["activation_days"], a["session_hours"])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_code(raw: str) -> str:
    """A valid credit code, normalised; raises AccountError naming the problem."""
    try:
        return validate_credit_code(raw or "")[0]
    except CodeError as e:
        raise AccountError(422, "credit_code", f"统一社会信用代码无效：{e.zh}", f"invalid credit code: {e.en}",
                           "credit_code") from None


class AccountStore:
    def __init__(self, db: Database, policy: AccountPolicy):
        self.db = db
        self.policy = policy
        self.hasher = PasswordHasher()
        for statement in _SCHEMA:
            db.execute(statement)

    @cached_property
    def _dummy_hash(self) -> str:
        return self.hasher.hash(secrets.token_urlsafe(16))

    def _row(self, credit_code: str) -> dict[str, Any] | None:
        rows = self.db.query("SELECT * FROM firm_accounts WHERE credit_code=?", (credit_code,))
        return rows[0] if rows else None

    # -- administration -----------------------------------------------------------------------------------
    def create(self, credit_code: str, *, reissue: bool = False) -> str:
        """Create the account (or, with reissue, a fresh link for an existing one); return the one-time token."""
        code = normalise_code(credit_code)
        token = secrets.token_urlsafe(32)
        expires = (_now() + dt.timedelta(days=self.policy.activation_days)).isoformat()
        existing = self._row(code)
        if existing and not reissue:
            raise AccountError(409, "exists", "该统一社会信用代码已有账户；如需重设密码，请使用 --reissue 重新生成激活链接",
                               "an account for this credit code exists; use --reissue for a new activation link",
                               "credit_code")
        if existing:
            self.db.execute("UPDATE firm_accounts SET activation_hash=?, activation_expires=? WHERE credit_code=?",
                            (_hash(token), expires, code))
        else:
            self.db.execute(
                "INSERT INTO firm_accounts (credit_code, activation_hash, activation_expires, created_at, failures) "
                "VALUES (?, ?, ?, ?, 0)", (code, _hash(token), expires, _now().isoformat()))
        return token

    # -- activation ----------------------------------------------------------------------------------------
    def activation(self, token: str) -> str | None:
        """The credit code a still-valid activation token belongs to."""
        rows = self.db.query("SELECT credit_code, activation_expires FROM firm_accounts WHERE activation_hash=?",
                             (_hash(token or ""),))
        if not rows or rows[0]["activation_expires"] < _now().isoformat():
            return None
        return rows[0]["credit_code"]

    def check_password(self, password: str, confirm: str, credit_code: str) -> None:
        p = self.policy
        if len(password) < p.min_password_length:
            raise AccountError(422, "too_short", f"密码至少 {p.min_password_length} 个字符",
                               f"the password needs at least {p.min_password_length} characters")
        if len(password) > p.max_password_length:
            raise AccountError(422, "too_long", f"密码不能超过 {p.max_password_length} 个字符",
                               f"the password is limited to {p.max_password_length} characters")
        if password != confirm:
            raise AccountError(422, "mismatch", "两次输入的密码不一致", "the two passwords differ", "confirm")
        if credit_code.lower() in password.lower() or len(set(password)) < 4:
            raise AccountError(422, "weak", "密码过于简单（不能包含统一社会信用代码，不能是重复字符）",
                               "the password is too simple (no credit code, not repeated characters)")

    def activate(self, token: str, password: str, confirm: str) -> str:
        """Set the password with a one-time token; the token is spent. Returns the credit code."""
        code = self.activation(token)
        if code is None:
            raise AccountError(410, "activation_invalid", "激活链接无效、已使用或已过期，请联系管理员重新生成",
                               "this activation link is invalid, used or expired; ask for a new one", "token")
        self.check_password(password, confirm, code)
        self.db.execute(
            "UPDATE firm_accounts SET password_hash=?, activation_hash=NULL, activation_expires=NULL, "
            "activated_at=?, failures=0, locked_until=NULL WHERE credit_code=? AND activation_hash=?",
            (self.hasher.hash(password), _now().isoformat(), code, _hash(token)))
        return code

    # -- login -----------------------------------------------------------------------------------------------
    def login(self, credit_code: str, password: str) -> str:
        """The credit code when the password is right; AccountError (401, or 423 while locked) otherwise."""
        bad = AccountError(401, "bad_credentials", "统一社会信用代码或密码错误", "wrong credit code or password")
        try:
            code = normalise_code(credit_code)
        except AccountError:
            raise bad from None
        row = self._row(code)
        if row and row["locked_until"] and row["locked_until"] > _now().isoformat():
            until = dt.datetime.fromisoformat(row["locked_until"]).astimezone(CHINA)
            raise AccountError(423, "locked", f"连续登录失败次数过多，账户已锁定，请于 {until:%H:%M}（北京时间）后再试",
                               f"too many failed logins; the account is locked until {until:%H:%M} China time")
        password = (password or "")[: self.policy.max_password_length]
        try:
            self.hasher.verify(row["password_hash"] if row and row["password_hash"] else self._dummy_hash, password)
            if not row or not row["password_hash"]:
                raise VerificationError
        except (VerificationError, InvalidHashError):
            if row:
                self._failed(code)
            raise bad from None
        rehash = self.hasher.check_needs_rehash(row["password_hash"])
        self.db.execute("UPDATE firm_accounts SET failures=0, locked_until=NULL, last_login_at=?"
                        f"{', password_hash=?' if rehash else ''} WHERE credit_code=?",
                        (_now().isoformat(), *([self.hasher.hash(password)] if rehash else []), code))
        return code

    def _failed(self, code: str) -> None:
        self.db.execute("UPDATE firm_accounts SET failures = failures + 1 WHERE credit_code=?", (code,))
        failures = self.db.execute("SELECT failures FROM firm_accounts WHERE credit_code=?", (code,))[0][0]
        if failures >= self.policy.max_failures:
            until = (_now() + dt.timedelta(minutes=self.policy.lockout_minutes)).isoformat()
            self.db.execute("UPDATE firm_accounts SET failures=0, locked_until=? WHERE credit_code=?", (until, code))
