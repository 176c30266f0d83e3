"""China's clock: the zone, the time and the date the platform's rules are counted in.

Publicity periods, list periods and case deadlines are set by Chinese law on China's
calendar: a penalty decided on 1 March in Benxi starts its period on 1 March there,
whatever zone the server runs in. China Standard Time is UTC+8 all year (no daylight
saving since 1991), so a fixed offset is exact and needs no time-zone database.
"""
from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def now() -> dt.datetime:
    """The current time in China."""
    return dt.datetime.now(CHINA)


def today() -> dt.date:
    """Today's date in China, the day every rule is applied on."""
    return now().date()


def china_day(iso: str) -> str:
    """The day in China of a stored time (ISO; naive means UTC): when a record reached the platform, there."""
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA).date().isoformat()
