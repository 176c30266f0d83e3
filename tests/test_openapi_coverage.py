"""The OpenAPI document describes every JSON endpoint under /api/v1, and each method it serves."""
from __future__ import annotations

import re

from starlette.routing import Route

from web import openapi
from web.app import create_app


def test_every_api_v1_route_and_method_is_in_the_openapi_document(sqlite_platform):
    app = create_app(sqlite_platform, follow=False)
    shape = lambda path: re.sub(r"\{[^}]+\}", "{}", path)  # noqa: E731 - parameter names may differ
    documented = {shape(path): ops for path, ops in openapi.document_of(app)["paths"].items()}
    missing = []
    for route in app.routes:
        if not isinstance(route, Route) or not route.path.startswith("/api/v1/") or route.path.endswith("openapi.json"):
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if method.lower() not in documented.get(shape(route.path), {}):
                missing.append(f"{method} {route.path}")
    assert not missing, missing
