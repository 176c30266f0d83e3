"""Working days over the holiday calendar: holidays, adjusted working weekends, legal counting."""
from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import pytest

from domain.cases import deadline, limits_for
from domain.workdays import Calendar, calendar

D = dt.date


def test_calendar_covers_2019_to_2027_and_marks_2027_provisional():
    cal = calendar()
    assert cal.first == D(2019, 1, 1) and cal.last == D(2027, 12, 31)
    data = json.loads(resources.files("schemas").joinpath("calendar.json").read_text("utf-8"))
    assert sorted(data["years"]) == [str(y) for y in range(2019, 2028)]
    assert data["years"]["2027"]["status"] == "provisional"
    assert all(data["years"][str(y)]["status"] == "official" for y in range(2019, 2027))
    assert cal.provisional(D(2027, 5, 6)) and not cal.provisional(D(2026, 5, 6)) and cal.provisional(D(2028, 1, 3))


def test_every_adjusted_working_day_is_a_weekend_and_no_day_is_both():
    cal = calendar()
    assert all(day.weekday() >= 5 for day in cal.adjusted_workdays)
    assert not cal.holidays & cal.adjusted_workdays


@pytest.mark.parametrize("year, official_days", [(2019, 11), (2021, 11), (2022, 11), (2023, 11), (2024, 11),
                                                  (2025, 13), (2026, 13), (2027, 13)])
def test_each_year_rests_exactly_its_statutory_holidays(year, official_days):
    """Weekday holidays minus adjusted working weekends = the statutory days (11, 13 from 2025)."""
    cal = calendar()
    data = json.loads(resources.files("schemas").joinpath("calendar.json").read_text("utf-8"))["years"][str(year)]
    days = {D.fromisoformat(b["from"]) + dt.timedelta(days=i) for b in data["holidays"]
            for i in range((D.fromisoformat(b["to"]) - D.fromisoformat(b["from"])).days + 1)}
    workdays = {D.fromisoformat(w["date"]) for w in data["adjusted_workdays"]}
    assert days <= cal.holidays and workdays <= cal.adjusted_workdays
    assert sum(1 for d in days if d.weekday() < 5) - len(workdays) == official_days


@pytest.mark.parametrize("day, working", [
    ("2026-10-01", False),  # National Day
    ("2026-10-07", False),
    ("2026-10-08", True),
    ("2026-10-10", True),  # Saturday, adjusted working day for National Day
    ("2026-09-20", True),  # Sunday, adjusted working day
    ("2026-10-11", False),  # an ordinary Sunday
    ("2026-02-14", True),  # Saturday before the Spring Festival
    ("2026-02-23", False),  # last day of the 2026 Spring Festival
    ("2024-02-18", True),  # Sunday after the 2024 Spring Festival
    ("2020-02-01", False),  # the adjusted Saturday cancelled when the 2020 Spring Festival was extended
    ("2025-01-01", False),
    ("2026-11-25", True),
])
def test_is_working_day(day, working):
    assert calendar().is_working_day(day) is working


def test_two_working_days_from_the_day_before_national_day_end_on_8_october():
    # 29 Sep (Tue) is received: 30 Sep counts 1, 1-7 Oct are holidays, 8 Oct counts 2.
    assert calendar().add_working_days(D(2026, 9, 29), 2) == D(2026, 10, 8)


def test_the_adjusted_working_saturday_counts_as_a_working_day():
    # From Friday 9 Oct 2026: Saturday 10 Oct is a working day, then Monday 12, Tuesday 13.
    assert calendar().add_working_days(D(2026, 10, 9), 3) == D(2026, 10, 13)
    assert calendar().add_working_days(D(2026, 10, 16), 1) == D(2026, 10, 19)  # an ordinary Saturday does not


def test_the_receiving_day_never_counts_even_when_it_is_a_holiday():
    assert calendar().add_working_days(D(2026, 10, 3), 1) == D(2026, 10, 8)
    assert calendar().add_working_days(D(2026, 11, 25), 1) == D(2026, 11, 26)


def test_spring_festival_2026_pushes_a_ten_day_verification_past_the_holiday():
    # Received Friday 13 Feb: 14 Feb (Sat, working) is day 1, 24-27 Feb days 2-5, 28 Feb (Sat, working) 6, 2-5 Mar
    assert calendar().add_working_days(D(2026, 2, 13), 10) == D(2026, 3, 5)


def test_working_days_between_excludes_the_start_and_includes_the_end():
    cal = calendar()
    assert cal.working_days_between(D(2026, 9, 29), D(2026, 10, 13)) == 6  # 30.9, 8.10, 9.10, 10.10, 12.10, 13.10
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert cal.working_days_between(D(2026, 10, 8), D(2026, 10, 8)) == 0
    for n in (1, 2, 3, 10, 20):
        start = D(2026, 9, 25)
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


def test_outside_the_calendar_only_weekends_rest():
    cal = calendar()
    assert cal.is_working_day(D(2028, 10, 2)) and not cal.is_working_day(D(2028, 10, 1))
    assert not cal.covers(D(2018, 6, 1)) and cal.covers(D(2019, 6, 1))


def test_a_calendar_with_a_day_both_holiday_and_workday_is_refused():
    data = {"covers": {"from": "2026-01-01", "to": "2026-12-31"}, "years": {"2026": {
        "status": "official", "holidays": [{"name": "x", "from": "2026-10-01", "to": "2026-10-03"}],
        "adjusted_workdays": [{"date": "2026-10-03", "for": "x"}]}}}
    with pytest.raises(ValueError, match="both holiday and adjusted workday"):
        Calendar.from_data(data)


def test_case_deadlines_use_the_limits_in_force():
    repair_limits = limits_for("repair", D(2026, 9, 29))
    assert repair_limits["acceptance_working_days"] == 2 and repair_limits["decision_working_days"] == 3
    assert "acceptance_note" not in repair_limits  # notes stay in the configuration file
    assert limits_for("objection", D(2018, 1, 1))["rule_set"] == limits_for("objection", D(2026, 1, 1))["rule_set"]
    assert deadline("2026-09-29", 2) == "2026-10-08"
