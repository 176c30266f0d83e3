"""The Starlette application, assembled in one place from one list of routes.

Every route the app serves is here. JSON API routes are declared with `api(...)`, which
attaches their OpenAPI description (each audience's `docs.DOCS`): /api/v1/openapi.json is
built from this list, so a route cannot be served undocumented without a test noticing.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from web import errors, openapi
from web.audit import api as audit
from web.audit import docs as audit_docs
from web.audit import log
from web.complaints import api as complaints
from web.complaints import docs as complaints_docs
from web.complaints import pages as complaint_pages
from web.context import Platform
from web.contributors import api as contributions
from web.contributors import docs as contributions_docs
from web.contributors import pages as contributor_pages
from web.departments import api as departments
from web.departments import docs as departments_docs
from web.disclosure import docs as disclosure_docs
from web.progress import docs as progress_docs
from web.progress import pages as progress_pages
from web.projects import docs as projects_docs
from web.scorecards import docs as scorecard_docs
from web.scorecards import pages as scorecards
from web.quality import api as quality_api
from web.quality import docs as quality_docs
from web.projects import public as projects
from web.projects import work as project_work
from web.disclosure import editor as disclosure_editor
from web.disclosure import public as disclosure
from web.finance import api as finance
from web import markdown
from web.routing import IndexedRouter
from web.online import api as online_api
from web.online import docs as online_docs
from web.online import certifications
from web.online import firm as online_firm
from web.online import marks
from web.finance import desk as finance_desk
from web.finance import docs as finance_docs
from web.finance import pages as finance_pages
from web.firms import annual_report_docs, annual_reports
from web.firms import api as cases
from web.firms import docs as cases_docs
from web.firms import pages as firm
from web.opendata import ckan, files
from web.opendata import pages as datasets
from web.openapi import api
from web.portal import agencies
from web.portal import annual_reports as public_reports
from web.portal import api as public
from web.portal import docs as public_docs
from web.portal import meta, pages
from web.portal import report_docs
from web.portal import reports as credit_reports
from web.reviewers import pages as reviewer
from web.supervision import api as supervision
from web.supervision import docs as supervision_docs
from web.supervision import pages as supervision_pages
from web.trace import api as trace_api
from web.trace import docs as trace_docs
from web.trace import firm as trace_firm
from web.trace import public as trace

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["markdown"] = markdown.render  # departments' text, raw HTML off
#: the reusable schemas of /api/v1/openapi.json
SCHEMAS = {**public_docs.SCHEMAS, **cases_docs.SCHEMAS, **annual_report_docs.SCHEMAS, **report_docs.SCHEMAS,
           **trace_docs.SCHEMAS, **finance_docs.SCHEMAS,
           **online_docs.SCHEMAS}

P, S, D, C, A = public_docs.DOCS, supervision_docs.DOCS, departments_docs.DOCS, cases_docs.DOCS, audit_docs.DOCS
R, Q, CR, T = annual_report_docs.DOCS, complaints_docs.DOCS, report_docs.DOCS, trace_docs.DOCS
K, F, O, DP = contributions_docs.DOCS, finance_docs.DOCS, online_docs.DOCS, disclosure_docs.DOCS
PJ, QF, PG, SC = projects_docs.DOCS, quality_docs.DOCS, progress_docs.DOCS, scorecard_docs.DOCS
POST, GET_POST = ("POST",), ["GET", "POST"]

ROUTES: list[BaseRoute] = [
    # the public: pages and their JSON twins
    Route("/", pages.home),
    Route("/search", pages.search),
    Route("/entities/{key}", pages.entity),
    Route("/entities/{key}/annual-reports", public_reports.reports_page),
    Route("/entities/{key}/annual-reports/{year}", public_reports.report_page),
    api("/entities/{key}/report.pdf", credit_reports.report_pdf_file, CR,
        documented_as="/entities/{credit_code}/report.pdf"),
    api("/entities/{key}/report", credit_reports.report_page, CR, documented_as="/entities/{credit_code}/report"),
    api("/api/v1/entities/{key}/report", credit_reports.report_json, CR,
        documented_as="/api/v1/entities/{credit_code}/report"),
    api("/reports/{number}", credit_reports.verify_page, CR),
    api("/api/v1/reports/{number}", credit_reports.verify_json, CR),
    Route("/records/{record_id}", pages.record),
    Route("/lists/{name}", pages.list_page),
    Route("/agencies", agencies.agencies_page),
    Route("/agencies/{code}", agencies.agency_page),
    api("/api/v1/agencies", agencies.agencies, P),
    api("/api/v1/agencies/{code}", agencies.agency, P, documented_as="/api/v1/agencies/{credit_code}"),
    api("/api/v1/summary", public.summary, P),
    api("/api/v1/search", public.search, P),
    api("/api/v1/entities/{key}", public.entity, P, documented_as="/api/v1/entities/{credit_code}"),
    api("/api/v1/entities/{key}/annual-reports", public_reports.reports, R,
        documented_as="/api/v1/entities/{credit_code}/annual-reports"),
    api("/api/v1/entities/{key}/annual-reports/{year}", public_reports.report, R,
        documented_as="/api/v1/entities/{credit_code}/annual-reports/{year}"),
    api("/api/v1/records/{record_id}", public.record, P, documented_as="/api/v1/records/{id}"),
    api("/api/v1/lists/{name}", public.list_, P, documented_as="/api/v1/lists/{list}"),
    Route("/api/v1/openapi.json", openapi.openapi_json),
    api("/api/v1/health", meta.health, P),
    api("/api/v1/catalog", meta.catalog, P),
    # departments
    api("/api/v1/records", departments.submit_records, D, POST),
    # the log (public) and the auditors
    api("/api/v1/log/key", log.key, A),
    api("/api/v1/log/head", log.head, A),
    api("/api/v1/log/heads", log.heads, A),
    api("/api/v1/log/entries", log.entries, A),
    api("/api/v1/log/leaf", log.leaf, A),
    api("/api/v1/log/proof/inclusion", log.inclusion_proof, A),
    api("/api/v1/log/proof/consistency", log.consistency_proof, A),
    api("/api/v1/audit/events", audit.events, A),
    api("/api/v1/audit/reads", audit.reads, A),
    api("/api/v1/audit/records/{record_id}/history", audit.record_history, A),
    api("/api/v1/audit/entities/{code}/history", audit.entity_history, A),
    api("/api/v1/audit/contributions", audit.contributions, K),
    # supervision
    api("/api/v1/check", supervision.check, S),
    api("/api/v1/check", supervision.check_batch, S, POST),
    api("/api/v1/measures", supervision.measures, S),
    api("/api/v1/grades/{code}", supervision.grade, S),
    api("/api/v1/warnings", supervision.warnings_list, S),
    api("/api/v1/inspections/draw", supervision.draw, S, POST),
    api("/api/v1/inspections/{draw_id}", supervision.draw_again, S),
    api("/api/v1/inspections/{draw_id}/results", supervision.record_results, S, POST),
    api("/api/v1/statistics", supervision.statistics, S),
    Route("/supervision", supervision_pages.index),
    Route("/supervision/check", supervision_pages.check_page, methods=GET_POST),
    Route("/supervision/inspections", supervision_pages.inspections_page, methods=GET_POST),
    Route("/supervision/inspections/{draw_id}.csv", supervision_pages.inspection_csv),
    Route("/supervision/inspections/{draw_id}", supervision_pages.inspection_page, methods=GET_POST),
    Route("/supervision/statistics", supervision_pages.statistics_page),
    Route("/supervision/statistics.csv", supervision_pages.statistics_csv),
    # firms and their cases (the case API serves reviewers too)
    api("/api/v1/repairs", cases.list_repairs, C),
    api("/api/v1/repairs", cases.create_repair, C, POST),
    api("/api/v1/repairs/eligibility/{record_id}", cases.repair_eligibility, C),
    api("/api/v1/repairs/{number}", cases.get_repair, C),
    api("/api/v1/repairs/{number}/{step}", cases.repair_step, C, POST),
    api("/api/v1/objections", cases.list_objections, C),
    api("/api/v1/objections", cases.create_objection, C, POST),
    api("/api/v1/objections/{number}", cases.get_objection, C),
    api("/api/v1/objections/{number}/{step}", cases.objection_step, C, POST),
    api("/api/v1/cases/{number}", cases.case_status, C),
    api("/api/v1/annual-reports", annual_reports.submit, R, POST),
    Route("/firm/annual-reports", annual_reports.home),
    Route("/firm/annual-reports/{year}", annual_reports.form_page, methods=GET_POST),
    Route("/firm/activate/{token}", firm.activate, methods=GET_POST),
    Route("/firm/login", firm.login, methods=GET_POST),
    Route("/logout", firm.logout, methods=["POST"]),
    Route("/firm", firm.home),
    Route("/firm/records/{record_id}/repair", firm.repair_form, methods=GET_POST),
    Route("/firm/records/{record_id}/objection", firm.objection_form, methods=GET_POST),
    Route("/firm/cases/{number}", firm.case_page),
    Route("/firm/cases/{number}/{action}", firm.case_page, methods=["POST"]),
    # complaints and reports: anyone files and follows them; the handling department decides
    Route("/complaints", complaint_pages.complaint_form, methods=GET_POST),
    Route("/complaints/statistics", complaint_pages.statistics_page),
    api("/api/v1/complaints/statistics", complaints.statistics, Q),
    api("/api/v1/complaints", complaints.file_complaint, Q, POST),
    api("/api/v1/complaints", complaints.list_complaints, Q),
    api("/api/v1/complaints/{number}", complaints.get_complaint, Q),
    api("/api/v1/complaints/{number}/{step}", complaints.complaint_step, Q, POST),
    # product traceability: anyone queries a code; the chain's entities and the departments record
    Route("/trace", trace.query_form),
    Route("/trace/{code}.txt", trace.chain_text),
    Route("/trace/{code}.{ext:str}", trace.qr_image),
    Route("/trace/{code}", trace.chain_page),
    Route("/firm/trace", trace_firm.home),
    Route("/firm/trace/new", trace_firm.new_batch, methods=GET_POST),
    Route("/firm/trace/{code}", trace_firm.batch_page, methods=GET_POST),
    api("/api/v1/trace/batches", trace_api.register, T, POST),
    api("/api/v1/trace/batches/{code}/events", trace_api.record, T, POST),
    api("/api/v1/trace/{code}/downstream", trace.downstream, T),
    api("/api/v1/trace/{code}", trace.chain, T),
    # credit information from society: contributors report, the verifying department decides, the public counts
    Route("/contributors", contributor_pages.registry),
    api("/api/v1/contributors", contributions.contributors, K),
    api("/api/v1/contributors/{code}", contributions.contributor, K,
        documented_as="/api/v1/contributors/{credit_code}"),
    Route("/contributor/login", contributor_pages.login, methods=GET_POST),
    Route("/contributor", contributor_pages.home, methods=GET_POST),
    Route("/contributor/cases/{number}", contributor_pages.case_page),
    api("/api/v1/contributions", contributions.report, K, POST),
    api("/api/v1/contributions", contributions.list_contributions, K),
    api("/api/v1/contributions/{number}", contributions.get_contribution, K),
    api("/api/v1/contributions/{number}/{step}", contributions.contribution_step, K, POST),
    # 信易贷: firms grant consents and apply, lenders read what the consents allow and publish products
    Route("/finance/products", finance_pages.products_page),
    api("/api/v1/finance/products", finance.products, F),
    api("/api/v1/finance/eligibility", finance.eligibility, F),
    Route("/firm/consents", finance_pages.firm_consents, methods=GET_POST),
    Route("/firm/consents/{consent_id}/revoke", finance_pages.revoke, methods=POST),
    Route("/firm/finance", finance_pages.firm_finance, methods=GET_POST),
    api("/api/v1/consents", finance.grant_consent, F, POST),
    api("/api/v1/consents", finance.list_consents, F),
    api("/api/v1/consents/{consent_id}/revoke", finance.revoke_consent, F, POST),
    api("/api/v1/loan-applications", finance.apply, F, POST),
    api("/api/v1/loan-applications", finance.list_applications, F),
    api("/api/v1/loan-applications/{application_id}/decide", finance.decide_application, F, POST),
    # online presences and the electronic licence mark (亮照)
    # department scorecards
    Route("/scorecards", scorecards.ranking_page),
    Route("/scorecards/{code}", scorecards.scorecard_page),
    api("/api/v1/scorecards", scorecards.ranking_json, SC),
    api("/api/v1/scorecards/{code}", scorecards.scorecard_json, SC),
    # the plan's progress, for the third-party assessment
    Route("/progress", progress_pages.progress_page),
    Route("/progress.xlsx", progress_pages.progress_xlsx),
    api("/api/v1/progress", progress_pages.progress_json, PG),
    # data-quality flags on public records
    Route("/records/{record_id}/quality-flag", quality_api.flag_form, methods=GET_POST),
    api("/api/v1/quality-flags", quality_api.file_flag, QF, POST),
    api("/api/v1/quality-flags", quality_api.list_flags, QF),
    api("/api/v1/quality-flags/{number}/{step}", quality_api.flag_step, QF, POST),
    # investment projects approved in parallel
    Route("/projects", projects.index_page),
    Route("/projects/{code}", projects.project_page),
    api("/api/v1/projects", projects.index_json, PJ),
    api("/api/v1/projects", project_work.submit_api, PJ, POST),
    api("/api/v1/projects/{code}", projects.project_json, PJ),
    api("/api/v1/projects/{code}/{step}", project_work.step_api, PJ, POST),
    Route("/firm/projects", project_work.firm_page, methods=GET_POST),
    Route("/reviewer/projects", project_work.reviewer_page),
    Route("/reviewer/projects/{code}/{step}", project_work.reviewer_step, methods=POST),
    # department disclosure pages and the model contracts
    Route("/departments", disclosure.index_page),
    Route("/departments/{code}", disclosure.department_page),
    api("/api/v1/departments", disclosure.index_json, DP),
    api("/api/v1/departments/{code}", disclosure.department_json, DP),
    api("/api/v1/departments/{code}/documents/{kind}", disclosure_editor.save_department_document, DP, POST),
    Route("/contracts", disclosure.contracts_page),
    Route("/contracts/{slug}", disclosure.contract_page),
    api("/api/v1/contracts/{slug}", disclosure.contract_json, DP),
    api("/api/v1/contracts/{slug}", disclosure_editor.save_contract, DP, POST),
    Route("/reviewer/documents", disclosure_editor.page, methods=GET_POST),
    Route("/firm/online", online_firm.page, methods=GET_POST),
    Route("/certifications/{credit_code}", certifications.certification_page),
    api("/api/v1/certifications/{credit_code}", certifications.certification_json, O),
    Route("/marks/{mark_id}.svg", marks.badge),
    Route("/marks/{mark_id}/embed", marks.embed),
    Route("/marks/{mark_id}", marks.mark_page),
    api("/api/v1/marks/{mark_id}", marks.mark_json, O),
    api("/api/v1/online-presences", online_api.declare_or_list, O, POST),
    api("/api/v1/online-presences/contested", online_api.contested, O),
    api("/api/v1/online-presences/{presence_key}/settle", online_api.settle, O, POST),
    api("/api/v1/entities/{credit_code}/online-presences", online_api.of_entity, O),
    Route("/lender/login", finance_desk.lender_login, methods=GET_POST),
    Route("/lender", finance_desk.lender_home),
    Route("/lender/applications/{application_id}/decide", finance_desk.decide, methods=POST),
    Route("/lender/products", finance_desk.publish, methods=POST),
    Route("/lender/products/{product_id}/withdraw", finance_desk.withdraw, methods=POST),
    Route("/lender/reports", finance_desk.lender_report_form),
    Route("/lender/reports/{code}", finance_desk.lender_report_page),
    api("/api/v1/lender/reports/{code}", finance.lender_report, F, documented_as="/api/v1/lender/reports/{credit_code}"),
    api("/api/v1/lender/products", finance.publish_product, F, POST),
    api("/api/v1/lender/products/{product_id}/withdraw", finance.withdraw_product, F, POST),
    Route("/cases", firm.status_page),
    Route("/cases/{number}", firm.status_page),
    # reviewers
    Route("/reviewer/login", reviewer.login, methods=GET_POST),
    Route("/reviewer", reviewer.case_list),
    Route("/reviewer/cases/{number}", reviewer.case_page),
    Route("/reviewer/cases/{number}/materials/{sha256}", reviewer.material),
    Route("/reviewer/cases/{number}/{step}", reviewer.case_page, methods=["POST"]),
    # open data: the CKAN Action API (duplicate slashes collapsed first), downloads, DCAT, /datasets
    ckan.CollapsedSlashes(),
    Route("/api", ckan.api_version),
    Route("/api/{version:int}", ckan.api_version),
    Route("/api/3/action/{name}", ckan.action, methods=GET_POST),
    Route("/api/action/{name}", ckan.action, methods=GET_POST),
    Route("/dataset/{id}/resource/{resource_id}/download/{filename}", files.download),
    Route("/datastore/dump/{resource_id}", files.datastore_dump),
    Route("/dataset/{name}/schema.json", files.json_schema),
    Route("/dataset/{name}/datapackage.json", files.datapackage),
    Route("/catalog.{ext}", files.catalog_rdf),
    Route("/dataset/{name}.{ext}", files.dataset_rdf),
    Route("/dataset/{name}", files.dataset_page),
    Route("/datasets", datasets.catalog),
    Route("/datasets/{name}", datasets.detail),
    Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
]


def create_app(platform: Platform, *, follow: bool = True, daily: bool = False) -> Starlette:
    """The web app over one platform; `follow` starts the background log follower, `daily` the daily jobs
    (the deadline job: `gongshi serve` turns it on)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        platform.runner.catch_up()
        if follow:
            platform.start_following()
        if daily:
            platform.start_daily_jobs()
        yield
        platform.close()

    app = Starlette(
        routes=ROUTES,
        lifespan=lifespan,
        exception_handlers={404: errors.not_found, 405: errors.method_not_allowed, 500: errors.server_error},
    )
    app.router = IndexedRouter(routes=ROUTES, lifespan=lifespan)  # the same routes, tried only where they can match
    app.state.platform = platform
    app.state.templates = templates
    app.state.openapi_schemas = SCHEMAS
    return app
