"""Filing and revising annual reports: load by (credit code, year), call the domain, save once.

A firm files for its own credit code online; a department files a report that came on
paper (its date is the day it was received). The answer comes after the read models have
caught up, so the profile already shows the report.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from application.ledger import Ledger
from domain import annual_reports
from domain.annual_reports import AnnualReport, Filing, report_id
from domain.errors import ForbiddenError, InputError, NotFoundError
from domain.validation import parse_date


class AnnualReports:
    def __init__(self, ledger: Ledger, catch_up: Callable[[], None], clock: Callable[[], dt.date],
                 after_filing: Callable[[str, Any, dt.date, str], Any] = lambda *_: None):
        self.ledger = ledger
        self.catch_up = catch_up
        self.clock = clock
        self.after_filing = after_filing  # (credit code, online shops, day, submitter): their presences declared

    def report(self, credit_code: str, year: int) -> AnnualReport | None:
        return self.ledger.get_or_none(report_id(credit_code, year))

    def file(self, filing: Filing, data: Any, *, filed_on: str | None = None,
             visible: bool = True) -> tuple[AnnualReport, int]:
        """File a new report; (the report, its log position). A second filing for a year is refused."""
        form, fields = annual_reports.check(data)
        self._refuse_unless_registrar(filing, fields["credit_code"])
        today = self.clock()
        on = self._day(filing, filed_on, today)
        saved: list[AnnualReport] = []

        def command() -> list[AnnualReport]:
            existing = self.report(fields["credit_code"], fields["year"])
            saved[:] = [annual_reports.file(existing, form, fields, filing, on, today)]
            return saved

        position = self._save(command, visible)
        self.after_filing(fields["credit_code"], fields.get("online_shops"), today, filing.submitter)
        return saved[0], position

    def revise(self, filing: Filing, data: Any, *, revised_on: str | None = None,
               visible: bool = True) -> tuple[AnnualReport, int | None]:
        """A new version of a filed report, within the window; position None if nothing changed."""
        form, fields = annual_reports.check(data)
        filing.refuse_other_entity(fields["credit_code"])
        self._refuse_unless_registrar(filing, fields["credit_code"])
        today = self._day(filing, revised_on, self.clock())
        saved: list[AnnualReport] = []

        def command() -> list[AnnualReport]:
            report = self.report(fields["credit_code"], fields["year"])
            if report is None:
                raise NotFoundError("year", "not_filed", f"{fields['year']}年度年报尚未报送，请先报送",
                                    f"no report for {fields['year']} has been filed yet; file it first")
            changed = report.revise(fields, today, filing.channel, filing.department, filing.submitter)
            saved[:] = [report]
            return [report] if changed else []

        position = self._save(command, visible)
        if position is not None:
            self.after_filing(fields["credit_code"], fields.get("online_shops"), today, filing.submitter)
        return saved[0], position

    def _refuse_unless_registrar(self, filing: Filing, credit_code: str) -> None:
        """A paper report is entered by the department that registers the entity (the one-source rule)."""
        if filing.department is None:
            return
        registrar = self.ledger.catalog.source_for("entity", {"credit_code": credit_code})
        if registrar != filing.department:
            raise ForbiddenError("credit_code", "not_registrar",
                                 "纸质年报只能由该主体的登记机关录入（一数一源）",
                                 "a paper report is entered by the entity's registration authority only (one source)")

    @staticmethod
    def _day(filing: Filing, filed_on: str | None, today: dt.date) -> dt.date:
        """A firm files today; a paper report is filed on the day the department received it."""
        if filed_on is None or not filing.states_day:
            return today
        try:
            day = dt.date.fromisoformat(parse_date(filed_on))
        except ValueError:
            raise InputError("filed_on", "type", f"报送日期不是有效日期（应为 YYYY-MM-DD）：{filed_on}",
                             f"filed_on is not a valid date (YYYY-MM-DD): {filed_on!r}") from None
        if day > today:
            raise InputError("filed_on", "future", "报送日期不能晚于今天", "the filing date cannot be after today")
        return day

    def _save(self, command: Callable[[], list[AnnualReport]], visible: bool) -> int | None:
        """Save once; `visible` (the default) waits for the read models, a bulk loader catches up itself."""
        recordings = self.ledger.execute(command)
        if not recordings:
            return None
        if visible:
            self.catch_up()
        return recordings[-1].notification.id
