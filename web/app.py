"""The Starlette application, assembled in one place from a list of routes."""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from web import api_meta, api_public, api_records, errors, openapi, openapi_operations, pages  # noqa: F401
from web import api_audit, api_log
from web import ckan
from web import api_supervision, supervision_pages
from web import api_cases, firm_pages, reviewer_pages
from web.context import Platform

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def create_app(platform: Platform, *, follow: bool = True) -> Starlette:
    """The web app over one platform; `follow` starts the background log follower."""

    @asynccontextmanager
    async def lifespan(app: Starlette):
        platform.runner.catch_up()
        if follow:
            platform.start_following()
        yield
        platform.close()

    routes = [
        Route("/", pages.home),
        Route("/search", pages.search),
        Route("/entities/{key}", pages.entity),
        Route("/records/{record_id}", pages.record),
        Route("/lists/{name}", pages.list_page),
        Route("/api/v1/summary", api_public.summary),
        Route("/api/v1/search", api_public.search),
        Route("/api/v1/entities/{key}", api_public.entity),
        Route("/api/v1/records/{record_id}", api_public.record),
        Route("/api/v1/lists/{name}", api_public.list_),
        Route("/api/v1/openapi.json", openapi.openapi_json),
        Route("/api/v1/health", api_meta.health),
        Route("/api/v1/catalog", api_meta.catalog),
        Route("/api/v1/records", api_records.submit_records, methods=["POST"]),
        Route("/api/v1/log/key", api_log.key),
        Route("/api/v1/log/head", api_log.head),
        Route("/api/v1/log/heads", api_log.heads),
        Route("/api/v1/log/entries", api_log.entries),
        Route("/api/v1/log/leaf", api_log.leaf),
        Route("/api/v1/log/proof/inclusion", api_log.inclusion_proof),
        Route("/api/v1/log/proof/consistency", api_log.consistency_proof),
        Route("/api/v1/audit/events", api_audit.events),
        Route("/api/v1/audit/reads", api_audit.reads),
        Route("/api/v1/audit/records/{record_id}/history", api_audit.record_history),
        Route("/api/v1/audit/entities/{code}/history", api_audit.entity_history),
        Route("/api/v1/check", api_supervision.check),
        Route("/api/v1/check", api_supervision.check_batch, methods=["POST"]),
        Route("/api/v1/measures", api_supervision.measures),
        Route("/api/v1/grades/{code}", api_supervision.grade),
        Route("/api/v1/warnings", api_supervision.warnings_list),
        Route("/api/v1/inspections/draw", api_supervision.draw, methods=["POST"]),
        Route("/api/v1/inspections/{draw_id}", api_supervision.draw_again),
        Route("/api/v1/statistics", api_supervision.statistics),
        Route("/supervision", supervision_pages.index),
        Route("/supervision/check", supervision_pages.check_page, methods=["GET", "POST"]),
        Route("/supervision/inspections", supervision_pages.inspections_page, methods=["GET", "POST"]),
        Route("/supervision/inspections/{draw_id}.csv", supervision_pages.inspection_csv),
        Route("/supervision/inspections/{draw_id}", supervision_pages.inspection_page),
        Route("/supervision/statistics", supervision_pages.statistics_page),
        Route("/supervision/statistics.csv", supervision_pages.statistics_csv),
        *api_cases.routes,
        *firm_pages.routes,
        *reviewer_pages.routes,
        *ckan.routes,  # CKAN Action API, downloads, DCAT and the /datasets pages
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: errors.not_found, 405: errors.method_not_allowed, 500: errors.server_error},
    )
    app.state.platform = platform
    app.state.templates = templates
    return app
