"""What the web edge needs of a running instance, as a typed interface; gongshi/platform.py provides it.

Handlers reach the instance as `platform_of(request)`; web never imports the composition
root, so the arrow runs one way (gongshi builds web, never the reverse).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Protocol

from starlette.requests import Request

from application.annual_reports import AnnualReports
from application.audit import AuditTrail
from application.cases import Cases
from application.complaints import Complaints
from application.contributions import Contributions
from application.ledger import Ledger
from application.lender_reports import LenderReports
from application.lending import Lending
from application.records import Records
from application.reports import Reports
from application.supervision import Supervision
from projections.annual_reports import AnnualReportViews
from projections.cases import CaseViews
from projections.contributions import ContributionViews
from projections.db import Database
from projections.integrity import IntegrityLog
from projections.issued_reports import IssuedReports
from projections.runner import Runner
from projections.statistics import Statistics
from projections.supervision import Grades
from publishing.catalog import OpenData
from search.interface import SearchIndex
from stores.accounts import AccountStore
from stores.sessions import SessionStore
from stores.tokens import TokenStore
from stores.uploads import UploadStore


class Settings(Protocol):
    @property
    def home(self) -> Path: ...

    @property
    def max_body(self) -> int: ...

    @property
    def store_kind(self) -> str: ...


class Platform(Protocol):
    """The services, read models and stores of one instance."""

    settings: Settings
    today: dt.date | None

    @property
    def ledger(self) -> Ledger: ...
    @property
    def records(self) -> Records: ...
    @property
    def cases(self) -> Cases: ...
    @property
    def complaints(self) -> Complaints: ...
    @property
    def contributions(self) -> Contributions: ...
    @property
    def contribution_views(self) -> ContributionViews: ...
    @property
    def lending(self) -> Lending: ...
    @property
    def lender_reports(self) -> LenderReports: ...
    @property
    def annual_reports(self) -> AnnualReports: ...
    @property
    def annual_report_views(self) -> AnnualReportViews: ...
    @property
    def reports(self) -> Reports: ...
    @property
    def issued_reports(self) -> IssuedReports: ...
    @property
    def audit(self) -> AuditTrail: ...
    @property
    def supervision(self) -> Supervision: ...
    @property
    def views_db(self) -> Database: ...
    @property
    def case_views(self) -> CaseViews: ...
    @property
    def grades(self) -> Grades: ...
    @property
    def statistics(self) -> Statistics: ...
    @property
    def integrity(self) -> IntegrityLog: ...
    @property
    def search_index(self) -> SearchIndex: ...
    @property
    def opendata(self) -> OpenData: ...
    @property
    def runner(self) -> Runner: ...
    @property
    def tokens(self) -> TokenStore: ...
    @property
    def accounts(self) -> AccountStore: ...
    @property
    def sessions(self) -> SessionStore: ...
    @property
    def uploads(self) -> UploadStore: ...
    @property
    def follower_error(self) -> BaseException | None: ...

    def clock(self) -> dt.date: ...
    def now(self) -> dt.datetime: ...
    def start_following(self, interval: float = 0.2) -> None: ...
    def start_daily_jobs(self, interval: float = 60.0) -> None: ...
    def close(self) -> None: ...


def platform_of(request: Request) -> Platform:
    """The instance this app serves (set once by web/app.py's create_app)."""
    return request.app.state.platform
