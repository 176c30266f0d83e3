"""The Starlette application, assembled in one place from a list of routes."""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from web import api_meta, api_records, errors, pages

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def create_app(platform, *, follow: bool = True) -> Starlette:
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
        Route("/api/v1/health", api_meta.health),
        Route("/api/v1/catalog", api_meta.catalog),
        Route("/api/v1/records", api_records.submit_records, methods=["POST"]),
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
