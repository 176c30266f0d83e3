"""Query parameters of the public reads, checked once for the pages and their JSON twins.

Bad input raises `PublicError` with a bilingual message naming the parameter; the pages
render it as an HTML page and the API as JSON, both with a 4xx status.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from domain.codes import INDIVIDUAL_PLACEHOLDER, CodeError, normalise, validate_credit_code
from domain.moments import MomentError
from projections.db import Database
from projections.moments import resolve_moment
from projections.public import Moment
from projections.queries import MAX_PAGE, MAX_PAGE_SIZE, Paging

_REGISTRATION_NUMBER = re.compile(r"\d{13,15}")


class PublicError(Exception):
    """A 4xx answer: status, a machine code, messages in Chinese and English, extra fields."""

    def __init__(self, status: int, code: str, zh: str, en: str, **extra: Any):
        super().__init__(en)
        self.status, self.code, self.zh, self.en, self.extra = status, code, zh, en, extra


def bad(field: str, zh: str, en: str) -> PublicError:
    return PublicError(400, "bad_parameter", zh, en, field=field)


def integer(params: Mapping[str, str], name: str, default: int, low: int, high: int, title: str) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise bad(name, f"{title}（{name}）应为 {low} 到 {high} 之间的整数，收到“{raw[:40]}”",
                  f"{name} must be an integer from {low} to {high}, got {raw[:40]!r}")
    return int(raw)


def paging(params: Mapping[str, str], default_size: int = 20) -> Paging:
    """`page` (from 1) and `page_size` (up to MAX_PAGE_SIZE)."""
    return Paging(integer(params, "page", 1, 1, MAX_PAGE, "页码"),
                  integer(params, "page_size", default_size, 1, MAX_PAGE_SIZE, "每页条数"))


def choice(params: Mapping[str, str], name: str, options: Sequence[str], default: str | None, title: str) -> str | None:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if raw not in options:
        raise bad(name, f"{title}（{name}）只能是：{'、'.join(options)}；收到“{raw[:40]}”",
                  f"{name} must be one of {', '.join(options)}, got {raw[:40]!r}")
    return raw


def year(params: Mapping[str, str]) -> int | None:
    raw = params.get("year", "").strip()
    return integer(params, "year", 0, 1949, 2100, "年份") if raw else None


def district(params: Mapping[str, str]) -> str | None:
    raw = params.get("district", "").strip()
    if raw and not (raw.isdigit() and len(raw) == 6):
        raise bad("district", f"区县（district）应为6位行政区划代码，如 210504；收到“{raw[:40]}”",
                  f"district must be a 6-digit division code such as 210504, got {raw[:40]!r}")
    return raw or None


def text(params: Mapping[str, str], name: str, limit: int = 200) -> str:
    return " ".join(params.get(name, "").split())[:limit]


def entity_key(raw: str) -> str:
    """A credit code (checked, GB 32100) or an individual business's registration number."""
    key = normalise(raw)
    if _REGISTRATION_NUMBER.fullmatch(key):
        return key
    if key == INDIVIDUAL_PLACEHOLDER:
        raise bad("credit_code", "00000000000000000X 是无代码个体工商户的占位代码，请改用工商注册号查询",
                  "00000000000000000X is the placeholder of individual businesses without a code; "
                  "use the registration number")
    try:
        return validate_credit_code(key)[0]
    except CodeError as e:
        raise bad("credit_code", f"“{raw[:40]}”不是有效的统一社会信用代码：{e.zh}",
                  f"{raw[:40]!r} is not a valid unified social credit code: {e.en}") from None


def moment(db: Database, params: Mapping[str, str], today: dt.date) -> Moment:
    """The moment a read is asked about (`as_of`: now, a log position, or a time; never the future)."""
    try:
        return resolve_moment(db, params.get("as_of", ""), today)
    except MomentError as e:
        raise bad(e.field, e.zh, e.en) from None
