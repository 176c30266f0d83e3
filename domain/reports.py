"""The public credit report (公共信用信息报告): its canonical content digest, its number, its issuing.

A report's content is plain JSON data (assembled by projections/reports.py from the public
read models at one log position and one publicity day). Its digest is SHA-256 over the
canonical JSON encoding below, so the same entity at the same position and day always
gives the same digest: the content holds no wall-clock time and no display labels.

Issuing a report is a fact in the log (`CreditReport.Issued`): its number, the content
digest, the stated purpose and the time. The issue is signed with the instance's Ed25519
log key over `issue_message`; gongshi_verify/report.py re-implements these rules from
this docstring, so they must not change for format v1:

- canonical JSON = UTF-8 of ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
- ``content_sha256`` = hex SHA-256 of the canonical content; ``parts`` = hex SHA-256 of each
  top-level member of the content (so a verifier can name the part that changed)
- signed message = ``b"gongshi-credit-report-v1\\n"`` + canonical JSON of the issue object
"""
from __future__ import annotations

import hashlib
import json
import secrets
from functools import cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

import schemas
from domain.errors import DomainError

MESSAGE_PREFIX = b"gongshi-credit-report-v1\n"
#: Crockford's base32 without I, L, O, U: a number read aloud or retyped stays unambiguous.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
JSON_DOCUMENT, PDF_DOCUMENT = "json", "pdf"


@cache
def config() -> dict[str, Any]:
    """schemas/report.json: the format, purposes, section titles and the not-shown explanations."""
    return schemas.load("report.json")


def canonical(value: Any) -> bytes:
    """The one byte encoding every digest and signature of a report is computed over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_digest(content: dict[str, Any]) -> str:
    """The content digest: the same entity, position and day give the same one."""
    return sha256_hex(canonical(content))


def part_digests(content: dict[str, Any]) -> dict[str, str]:
    """A digest per top-level part of the content, signed with it, so a verifier can say which part changed."""
    return {name: sha256_hex(canonical(value)) for name, value in sorted(content.items())}


def issue_message(issue: dict[str, Any]) -> bytes:
    """The exact bytes a report signature covers."""
    return MESSAGE_PREFIX + canonical(issue)


def purposes() -> dict[str, dict[str, str]]:
    """Purpose id -> its Chinese and English names (schemas/report.json)."""
    return {p["id"]: p for p in config()["purposes"]}


def check_purpose(raw: str | None) -> str | None:
    """A stated purpose (an id of schemas/report.json), or None when none was stated."""
    text = (raw or "").strip()
    if not text:
        return None
    if text not in purposes():
        names = "、".join(f"{p['id']}（{p['zh']}）" for p in purposes().values())
        raise DomainError("purpose", "unknown_purpose", f"用途（purpose）只能是：{names}；收到“{text[:40]}”",
                          f"purpose must be one of {', '.join(purposes())}, got {text[:40]!r}")
    return text


def new_number(issued_on: str) -> str:
    """A fresh report number: prefix, the issuing day, ten random base32 characters (BXXY20261125K7Q2M9XA3D)."""
    tail = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(10))
    return f"{config()['number_prefix']}{issued_on.replace('-', '')}{tail}"


def looks_like_number(text: str) -> bool:
    prefix = config()["number_prefix"]
    body = text[len(prefix):]
    return (text.startswith(prefix) and len(body) == 18 and body[:8].isdigit()
            and all(c in _NUMBER_ALPHABET for c in body[8:]))


def report_id(number: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/reports/{number}")


class CreditReport(Aggregate):
    """One issued report: what it reflects (entity, position, day), its digest, purpose and issue time.

    The content itself is not stored: it is rebuilt from the log on verification, and the
    digest says whether the rebuilt content is the issued one.
    """

    TOPIC = "gongshi:CreditReport"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:CreditReport.Created"

    class Issued(Aggregate.Created):
        TOPIC = "gongshi:CreditReport.Issued"
        number: str
        entity_key: str
        credit_code: str | None
        name: str
        position: int
        today: str
        issue: dict[str, Any]  # the signed issue object (number, time, purpose, digests, document)

    @staticmethod
    def create_id(number: str) -> UUID:
        return report_id(number)

    @event(Issued)
    def __init__(self, number, entity_key, credit_code, name, position, today, issue):  # noqa: PLR0913
        self.number = number
        self.entity_key = entity_key
        self.credit_code = credit_code
        self.name = name
        self.position = position
        self.today = today
        self.issue = issue
