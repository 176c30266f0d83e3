"""What an `as_of` (or `gongshi replay --to`) text means: a log position, or a time in China.

One reading on every surface (pages, JSON, CKAN datastore, downloads, the command line):
digits are a log position; an ISO 8601 date is the END of that day in China time, so
"as of 5 January" includes everything recorded on 5 January; an ISO 8601 time without a
zone is China time, one with a zone is taken as given. Never a moment after today.
"""
from __future__ import annotations

import datetime as dt
import re

from domain.clock import CHINA

_POSITION = re.compile(r"\d{1,18}")  # 18 digits stay inside a 64-bit integer


class MomentError(ValueError):
    """Text that is not a moment; names the field (`as_of`, `--to`) in Chinese and English."""

    def __init__(self, field: str, zh: str, en: str):
        super().__init__(en)
        self.field, self.zh, self.en = field, zh, en


def not_a_moment(field: str, raw: str) -> MomentError:
    """The error for text that is neither a log position nor an ISO 8601 date or time."""
    return MomentError(field, f"{field} 应为日志位置（整数）或 ISO 8601 日期/时间，如 2026-11-24 或 "
                       f"2026-11-24T10:00:00+08:00；收到“{raw[:40]}”",
                       f"{field} must be a log position (an integer) or an ISO 8601 date or time, "
                       f"e.g. 2026-11-24 or 2026-11-24T10:00:00+08:00; got {raw[:40]!r}")


def parse_moment(raw: str, today: dt.date, field: str = "as_of") -> int | dt.datetime | None:
    """A log position, an aware time (a date is the end of that day, China time), or None for blank text."""
    text = raw.strip()
    if not text:
        return None
    if _POSITION.fullmatch(text):
        return int(text)
    try:
        when = dt.datetime.combine(dt.date.fromisoformat(text), dt.time.max, CHINA)
    except ValueError:
        try:
            when = dt.datetime.fromisoformat(text.replace(" ", "T"))
        except ValueError:
            raise not_a_moment(field, raw) from None
        when = when if when.tzinfo else when.replace(tzinfo=CHINA)
    if when.astimezone(CHINA).date() > today:
        raise MomentError(field, f"{field} 不能晚于今天（{today.isoformat()}）",
                          f"{field} cannot be later than today ({today.isoformat()})")
    return when
