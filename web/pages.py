"""HTML pages (Chinese UI, no JavaScript needed)."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse


async def home(request: Request) -> HTMLResponse:
    platform = request.app.state.platform
    position = await run_in_threadpool(platform.ledger.position)
    return request.app.state.templates.TemplateResponse(
        request, "home.html", {"position": position, "store": platform.settings.store_kind})
