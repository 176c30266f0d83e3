"""Working days (工作日) over the State Council holiday calendar, kept as data.

A day is a working day when it is an adjusted working weekend (调休上班), or a Monday to
Friday that is not a public holiday. Periods are counted the legal way: the starting
day itself does not count (民法典 art. 201), so "within 2 working days of 25 September"
ends on the second working day after it. Outside the years the calendar covers only
weekends are rest days; `covers` and `provisional` let callers say so.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

import schemas

def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def as_date(day: dt.date | str) -> dt.date:
    return day if isinstance(day, dt.date) else dt.date.fromisoformat(day)


@dataclass(frozen=True)
class Calendar:
    """Public holidays and adjusted working weekends, with the years they are known for."""

    holidays: frozenset[dt.date]
    adjusted_workdays: frozenset[dt.date]
    first: dt.date
    last: dt.date
    provisional_years: frozenset[int] = frozenset()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Calendar:
        holidays: set[dt.date] = set()
        workdays: set[dt.date] = set()
        provisional = set()
        for year, entry in data["years"].items():
            for block in entry["holidays"]:
                holidays.update(_days(as_date(block["from"]), as_date(block["to"])))
            workdays.update(as_date(w["date"]) for w in entry["adjusted_workdays"])
            if entry["status"] != "official":
                provisional.add(int(year))
        clash = holidays & workdays
        if clash:
            raise ValueError(f"days both holiday and adjusted workday: {sorted(clash)}")
        return cls(frozenset(holidays), frozenset(workdays), as_date(data["covers"]["from"]),
                   as_date(data["covers"]["to"]), frozenset(provisional))

    def covers(self, day: dt.date | str) -> bool:
        return self.first <= as_date(day) <= self.last

    def provisional(self, day: dt.date | str) -> bool:
        """True when the day's year is estimated (no notice published yet) or not covered at all."""
        day = as_date(day)
        return not self.covers(day) or day.year in self.provisional_years

    def is_working_day(self, day: dt.date | str) -> bool:
        day = as_date(day)
        if day in self.adjusted_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: dt.date | str, n: int) -> dt.date:
        """The n-th working day after `start` (n >= 1); `start` itself never counts."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day = as_date(start)
        while n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: dt.date | str, end: dt.date | str) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        start, end = as_date(start), as_date(end)
        if end <= start:
            return 0
        return sum(1 for day in _days(start + dt.timedelta(days=1), end) if self.is_working_day(day))


@cache
def calendar() -> Calendar:
    """The calendar of schemas/calendar.json."""
    return Calendar.from_data(schemas.load("calendar.json"))
