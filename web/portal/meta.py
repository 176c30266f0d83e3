"""Health and the public data collection catalog."""
from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse


async def health(request: Request) -> JSONResponse:
    platform = request.app.state.platform

    def read() -> dict:
        return {
            "store": platform.settings.store_kind,
            "position": platform.ledger.position(),
            "views_position": platform.runner.position(),
        }

    body = await run_in_threadpool(read)
    if platform.follower_error is not None:
        body["follower_error"] = str(platform.follower_error)
    return JSONResponse(body)


async def catalog(request: Request) -> JSONResponse:
    return JSONResponse(request.app.state.platform.ledger.catalog.public_view())
