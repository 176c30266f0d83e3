"""The OpenAPI 3.1 document at /api/v1/openapi.json, built from the app's route list.

Each JSON endpoint is declared once, in web/app.py, with `api(path, endpoint, docs)`: the
route carries its OpenAPI operations, taken from the `DOCS` table of its audience's
`docs` module (plain data: path -> method -> operation object), and the document is
assembled from the routes the app really serves. Reusable schemas come from the same
modules' `SCHEMAS`.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

Docs = dict[str, dict[str, Any]]  # path -> method -> OpenAPI operation object


class ApiRoute(Route):
    """A route of the JSON API with the OpenAPI operations it serves (under its documented path)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], *, methods: Sequence[str], documented_as: str,
                 operations: dict[str, Any]):
        super().__init__(path, endpoint, methods=list(methods))
        self.documented_as = documented_as
        self.operations = operations


def api(path: str, endpoint: Callable[..., Any], docs: Mapping[str, Mapping[str, Any]], methods: Sequence[str] = ("GET",),
        documented_as: str | None = None) -> ApiRoute:
    """A JSON API route described by `docs[documented_as or path]` (its path parameters may be named for the public)."""
    described = docs.get(documented_as or path, {})
    operations = {m.lower(): described[m.lower()] for m in methods if m.lower() in described}
    return ApiRoute(path, endpoint, methods=methods, documented_as=documented_as or path, operations=operations)


def add(docs: Docs, path: str, operations: dict[str, Any]) -> None:
    """Put operations (method -> operation object) under a path of a docs table; methods merge."""
    docs.setdefault(path, {}).update(operations)


def document(routes: Iterable[BaseRoute], schemas: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAPI document of these routes."""
    paths: Docs = {}
    for route in routes:
        if isinstance(route, ApiRoute):
            paths.setdefault(route.documented_as, {}).update(route.operations)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "公示 Gongshi — 本溪市信用信息公示平台 API",
            "version": "1",
            "description": "Public credit disclosures of Benxi city. Every read accepts `as_of` and names the log "
                           "position its answer reflects. Errors are `{\"error\": {code, message_zh, message_en}}`.",
        },
        "paths": copy.deepcopy(dict(sorted(paths.items()))),
        "components": {"schemas": copy.deepcopy(dict(schemas))},
    }


def document_of(app: Starlette) -> dict[str, Any]:
    return document(app.routes, app.state.openapi_schemas)


async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(document_of(request.app))


# -- shared pieces of the descriptions ---------------------------------------------------------------
def param(name: str, where: str, description: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


ERROR = {"description": "Error: `error.code`, `message_zh`, `message_en`"}
AUTH = "Needs `Authorization: Bearer <token>`."


def query(name: str, description: str, required: bool = False, kind: str = "string") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": {"type": kind}, "description": description}


def path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def get(summary: str, *parameters: dict[str, Any], auth: bool = False) -> dict[str, Any]:
    """A GET operation answering JSON, public or for token holders."""
    return {"get": {"summary": summary, "description": AUTH if auth else "Public.", "parameters": list(parameters),
                    "responses": {"200": {"description": "JSON"}, "400": ERROR, "401": ERROR, "403": ERROR,
                                  "404": ERROR}}}


AS_OF = query("as_of", "A log position or an ISO 8601 date/time: answer as the platform would have then.")
