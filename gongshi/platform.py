"""The composition root: one place that builds the ledger, the read models and the runner."""
from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Any

from domain import clock
import schemas
from application.annual_reports import AnnualReports
from application.audit import AuditTrail
from application.cases import Cases
from application.complaints import Complaints
from application.contributions import Contributions
from application.deadlines import Deadlines
from application.lender_reports import LenderReports
from application.lending import Lending
from application.online import Online
from application.documents import Documents
from application.projects import Projects
from application.quality import QualityFlags
from application.quality_checks import QualityChecks
from application.trace import Trace
from application.ledger import Ledger
from application.records import Records
from application.reports import Reports
from application.supervision import Supervision
from domain.cases import case_limits
from domain.submission import Checker, make_checker
from gongshi.config import Settings
from projections import agencies, trace_queries
from gongshi.daily import Daily
from projections.annual_reports import AnnualReportViews  # also registers the report events' topics
from projections.cases import CaseViews  # also registers the case events' topics for decoding
from projections.contributions import ContributionViews
from projections.db import Database
from projections.deadlines import DeadlineFacts
from projections.heads import load_or_create_key
from projections.inspection_results import InspectionResultViews
from projections.integrity import HeadSigner, IntegrityLog
from projections.issued_reports import IssuedReports
from projections.ledger_views import LedgerViews
from projections.lending import LendingViews
from projections import online as online_views
from projections.online import OnlineViews
from projections.documents import DocumentViews
from projections.projects import ProjectViews
from projections.reports import ReportSources
from projections.runner import Follower, Runner
from projections.search_index import SearchProjection
from projections.statistics import Statistics
from projections.supervision import Grades, Rules
from projections.trace import TraceViews
from publishing.catalog import OpenData
from publishing.pushed import PushedPackages
from schemas import supervision as supervision_config
from search.engine import open_index
from search.interface import SearchIndex
from stores.accounts import AccountPolicy, AccountStore
from stores.sessions import SessionStore
from stores.tokens import TokenStore
from stores.uploads import UploadPolicy, UploadStore


class Platform:
    """Everything one Gongshi instance runs on, built from its settings."""

    def __init__(self, settings: Settings | None = None, *, today: dt.date | None = None):
        self.settings = settings or Settings.from_env()
        self.today = today
        if not self.settings.database_url:
            self.settings.home.mkdir(parents=True, exist_ok=True)
        self._follower: Follower | None = None
        self._daily: Daily | None = None

    @cached_property
    def ledger(self) -> Ledger:
        if self.settings.database_url and self.settings.schema:
            self.views_db.connection  # creates the schema the event store's tables go into
        return Ledger(env=self.settings.event_store_env())

    @cached_property
    def checker(self) -> Checker:
        """Validation of submitted items, against the fixed `today` of tests and tools if one is set (read at each
        check: setting `platform.today` later moves the checks too)."""
        return make_checker(lambda: self.today)

    # -- the application layer: every command goes through these -------------------------------------
    @cached_property
    def records(self) -> Records:
        return Records(self.ledger, self.checker, self.catch_up)

    @cached_property
    def cases(self) -> Cases:
        return Cases(self.ledger, self.checker, schemas.publicity_rules(), self.catch_up)

    @cached_property
    def complaints(self) -> Complaints:
        return Complaints(self.cases, lambda code: agencies.is_agency(self.views_db, code),
                          lambda code: trace_queries.registrant_of(self.views_db, code),
                          lambda key: online_views.shop(self.views_db, key))

    @cached_property
    def trace(self) -> Trace:
        return Trace(self.ledger, self.catch_up, self.clock)

    @cached_property
    def contributions(self) -> Contributions:
        return Contributions(self.cases)

    @cached_property
    def annual_reports(self) -> AnnualReports:
        return AnnualReports(self.ledger, self.catch_up, self.clock,
                             lambda code, shops, day, who: self.online.declare_from_annual_report(code, shops, day, who)
                             if shops else None)

    @cached_property
    def audit(self) -> AuditTrail:
        return AuditTrail(self.ledger, self.views_db, self.tokens, self.catch_up)

    @cached_property
    def supervision(self) -> Supervision:
        return Supervision(self.ledger, self.views_db, self.grades, self.clock, self.catch_up)

    @cached_property
    def deadlines(self) -> Deadlines:
        facts = DeadlineFacts(self.views_db, self.annual_report_views, self.case_views)
        return Deadlines(self.records, self.cases, facts, self.ledger.catalog, self.catch_up)

    @cached_property
    def reports(self) -> Reports:
        sources = ReportSources(self.views_db, self.annual_report_views, self.integrity, self.grades.rules,
                                bool(supervision_config.grading().get("publication", {}).get("public")))
        return Reports(self.ledger, sources, self.issued_reports, self.catch_up, self.now)

    @cached_property
    def lending(self) -> Lending:
        return Lending(self.ledger, self.views_db, self.grades.rules, self.catch_up)

    @cached_property
    def quality_flags(self) -> QualityFlags:
        """Data-quality flags on public records, answered by the records' source departments."""
        def is_public(record_id: str) -> bool:
            return bool(self.views_db.query("SELECT 1 AS x FROM v_records WHERE record_id = ? AND valid_to IS NULL "
                                            "AND status = 'active' AND published = 1", (record_id,)))
        return QualityFlags(self.cases, is_public)

    @cached_property
    def quality_checks(self) -> QualityChecks:
        """The nightly data-quality checks, each finding a flag to the source department."""
        return QualityChecks(self.quality_flags, self.views_db)

    @cached_property
    def projects(self) -> Projects:
        """Investment projects approved in parallel, credit checked at acceptance and at each opinion."""
        return Projects(self.cases, lambda: self.supervision, dict(schemas.glossary()["districts"]),
                        lambda item, department, submitter: self.records.submit([item], department=department,
                                                                                submitter=submitter))

    @cached_property
    def documents(self) -> Documents:
        """Departments' disclosure documents and the model contracts (domain/documents.py)."""
        return Documents(self.ledger, self.catch_up)

    @cached_property
    def online(self) -> Online:
        """Online presences and their marks, signed with the log's key (domain/online.py)."""
        return Online(self.ledger, lambda: self.integrity.signer, self.catch_up)

    @cached_property
    def lender_reports(self) -> LenderReports:
        return LenderReports(self.lending, self.reports, self.supervision)

    def now(self) -> dt.datetime:
        """The time in China, on the fixed `today` of tests and tools if one is set (a report's issue time)."""
        current = clock.now()
        return dt.datetime.combine(self.clock(), current.timetz()) if self.today else current

    def catch_up(self) -> None:
        """Bring every read model up to the log (the application services call it after each save)."""
        self.runner.catch_up()

    @cached_property
    def views_db(self) -> Database:
        return Database(self.settings.views_url, schema=self.settings.schema)

    @cached_property
    def auth_db(self) -> Database:
        url = self.settings.database_url or f"sqlite:///{self.settings.home / 'auth.sqlite'}"
        return Database(url, schema=self.settings.schema)

    @cached_property
    def tokens(self) -> TokenStore:
        return TokenStore(self.auth_db)

    @cached_property
    def ledger_views(self) -> LedgerViews:
        return LedgerViews(self.views_db)

    @cached_property
    def search_index(self) -> SearchIndex:
        return open_index(self.settings.home / "search", self.settings.search_engine)

    @cached_property
    def search_projection(self) -> SearchProjection:
        return SearchProjection(self.views_db, self.search_index)

    @cached_property
    def log_key_path(self) -> Path:
        """The Ed25519 key signing tree heads; under GONGSHI_HOME also for PostgreSQL deployments."""
        return self.settings.home / "keys" / "log-ed25519.pem"

    @cached_property
    def integrity(self) -> IntegrityLog:
        return IntegrityLog(self.views_db, HeadSigner(load_or_create_key(self.log_key_path)))

    def clock(self) -> dt.date:
        """The day the rules are applied on: the fixed `today` of tests and tools, else today in China."""
        return self.today or clock.today()

    @cached_property
    def grades(self) -> Grades:
        rules = Rules(supervision_config.grading(), supervision_config.warnings())
        return Grades(self.views_db, rules, self.clock)

    @cached_property
    def statistics(self) -> Statistics:
        return Statistics(self.views_db)

    @cached_property
    def opendata(self) -> OpenData:
        """The open-data catalog (publishing/): datasets, versions, built files, pushed packages."""
        return OpenData(self.views_db, self.settings.home / "downloads", self.clock,
                        PushedPackages(self.auth_db, self.settings.home / "ckan_uploads"))

    @cached_property
    def projections(self) -> list[Any]:
        return [self.ledger_views, self.search_projection,  # search reads the views' rows: keep it after them
                self.integrity,
                self.grades,  # grades read the views' rows: keep them after them
                self.case_views, self.annual_report_views,
                self.inspection_result_views,  # reads the entities' names from the views' rows
                self.trace_views,
                self.issued_reports,
                self.contribution_views,  # reads the society-sourced records' status from the views' rows
                self.lending_views,
                self.online_views,
                self.document_views,
                self.project_views]  # reads the projects' case numbers from v_cases: keep it after case_views

    @cached_property
    def case_views(self) -> CaseViews:
        return CaseViews(self.views_db)

    @cached_property
    def contribution_views(self) -> ContributionViews:
        return ContributionViews(self.views_db)

    @cached_property
    def lending_views(self) -> LendingViews:
        return LendingViews(self.views_db)

    @cached_property
    def online_views(self) -> OnlineViews:
        return OnlineViews(self.views_db)

    @cached_property
    def document_views(self) -> DocumentViews:
        return DocumentViews(self.views_db)

    @cached_property
    def project_views(self) -> ProjectViews:
        return ProjectViews(self.views_db)

    @cached_property
    def annual_report_views(self) -> AnnualReportViews:
        return AnnualReportViews(self.views_db)

    @cached_property
    def issued_reports(self) -> IssuedReports:
        return IssuedReports(self.views_db)

    @cached_property
    def inspection_result_views(self) -> InspectionResultViews:
        return InspectionResultViews(self.views_db)

    @cached_property
    def trace_views(self) -> TraceViews:
        return TraceViews(self.views_db)

    @cached_property
    def accounts(self) -> AccountStore:
        return AccountStore(self.auth_db, AccountPolicy.from_limits(case_limits()))

    @cached_property
    def sessions(self) -> SessionStore:
        self.tokens  # reviewer sessions check the token table, so it must exist
        return SessionStore(self.auth_db, AccountPolicy.from_limits(case_limits()).session_hours)

    @cached_property
    def uploads(self) -> UploadStore:
        """Case material, outside the web root (shared storage when several web nodes serve one instance)."""
        return UploadStore(self.settings.home / "uploads", UploadPolicy.from_limits(case_limits()))

    @cached_property
    def runner(self) -> Runner:
        return Runner(self.ledger, self.projections, bulk_after=self.settings.bulk_after)

    def start_following(self, interval: float = 0.2) -> None:
        if self._follower is None:
            self._follower = Follower(self.runner, interval)
            self._follower.start()

    @property
    def follower_error(self) -> BaseException | None:
        return self._follower.error if self._follower else None

    def start_daily_jobs(self, interval: float = 60.0) -> None:
        """The deadline job and the data-quality checks once per day (China time) in a background thread;
        `gongshi serve` starts it."""
        if self._daily is None:
            self._daily = Daily("deadlines", self._nightly, self.clock, interval)
            self._daily.start()

    def _nightly(self, today: dt.date) -> dict[str, Any]:
        """The daily jobs: the deadline decisions, then the data-quality checks."""
        return {"deadlines": self.deadlines.run(today), "quality": self.quality_checks.run(today)}

    def close(self) -> None:
        if self._daily is not None:
            self._daily.stop()
            self._daily = None
        if self._follower is not None:
            self._follower.stop()
            self._follower = None
        if "ledger" in self.__dict__:
            self.ledger.close()
        if "search_index" in self.__dict__:
            self.search_index.close()
        for name in ("views_db", "auth_db"):
            if name in self.__dict__:
                self.__dict__[name].close()
