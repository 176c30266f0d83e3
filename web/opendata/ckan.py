"""The CKAN Action API (/api/3/action/* and /api/action/*): dispatching actions in CKAN's envelope.

Its routes are in web/app.py with every other. Actions are plain functions of (Context, data)
in actions, datastore and write (this package); this module only dispatches them and wraps
answers and errors in CKAN's envelope. Action URLs are never redirected; duplicate slashes
are collapsed by re-dispatching the request internally.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from web.opendata import actions as ckan_actions
from web.opendata import datastore as ckan_datastore
from web.opendata import write as ckan_write
from web.opendata.envelope import (ActionError, ActionFunction, BadRequest, Context, NotFound, bad_request, envelope,
                                   failure, principal_of, request_data, required)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Action:
    function: ActionFunction
    write: bool = False


ACTIONS: dict[str, Action] = {
    name: Action(getattr(ckan_actions, name)) for name in (
        "status_show", "site_read", "package_list", "current_package_list_with_resources",
        "package_show", "resource_show", "package_search", "package_activity_list", "organization_list",
        "organization_show", "group_list", "group_show", "group_package_show", "tag_list", "license_list",
        "resource_view_list")
}


def help_show(ctx: Context, data: dict[str, Any]) -> str:
    """An action's documentation (its docstring), as CKAN's help_show answers it."""
    name = required(data, "name")
    found = ACTIONS.get(name)
    if found is None:
        raise NotFound(f"Action function not found: {name}")
    return (found.function.__doc__ or name).strip()


ACTIONS.update({
    "help_show": Action(help_show),
    "datastore_search": Action(ckan_datastore.datastore_search),
    "datastore_info": Action(ckan_datastore.datastore_info),
    **{name: Action(getattr(ckan_write, name), write=True) for name in ckan_write.ACTIONS},
})


async def action(request: Request) -> Response:
    name = request.path_params["name"]
    api_path = "/api/3/action" if request.url.path.startswith("/api/3/") else "/api/action"
    found = ACTIONS.get(name)
    if found is None:
        return bad_request(f"Action name not known: {name}")
    platform = request.app.state.platform
    try:
        data, files = await request_data(request, allow_get=not found.write)
    except BadRequest as e:
        return bad_request(str(e))
    ctx = Context(request, platform, name, api_path, await principal_of(request, platform), files)
    try:
        result = await run_in_threadpool(found.function, ctx, data)
    except ActionError as e:
        return failure(request, api_path, name, e)
    except Exception:  # noqa: BLE001 - CKAN's envelope for anything unexpected, never a bare 500 page
        log.exception("CKAN action %s failed", name)
        error = ActionError("Internal Server Error")
        return failure(request, api_path, name, error)
    return envelope(request, api_path, name, result)


async def api_version(request: Request) -> JSONResponse:
    return JSONResponse({"version": int(request.path_params.get("version", 1))})


class CollapsedSlashes(BaseRoute):
    """Serves `//api//3/action/x` as `/api/3/action/x`: re-dispatched, never redirected."""

    _DOUBLE = re.compile(r"/{2,}")

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and "//" in scope["path"]:
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **params: Any) -> Any:
        from starlette.routing import NoMatchFound

        raise NoMatchFound(name, params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = self._DOUBLE.sub("/", scope["path"])
        raw = self._DOUBLE.sub("/", scope.get("raw_path", b"").decode("latin-1")).encode("latin-1")
        await scope["router"].app({**scope, "path": path, "raw_path": raw}, receive, send)
