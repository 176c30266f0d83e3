"""The indexed router (web/routing.py) answers exactly as Starlette's: every route of the app is reached by its own
path, a wrong method is 405, an unknown path 404, and a trailing slash is redirected as before."""
from __future__ import annotations

import re

from starlette.routing import Route
from starlette.testclient import TestClient

from web.app import ROUTES, create_app
from web.routing import IndexedRouter


def _sample_path(path: str) -> str:
    """A concrete path for a route's pattern (`{n:int}` becomes a number, any other parameter a word)."""
    return re.sub(r"\{[^}]+\}", lambda m: "3" if m.group(0).endswith(":int}") else "x1", path)


def test_every_route_is_the_candidate_the_plain_router_would_pick():
    router = IndexedRouter(routes=ROUTES)
    for route in ROUTES:
        if not isinstance(route, Route):
            continue
        path = _sample_path(route.path)
        assert route.path_regex.match(path), route.path  # the sample reaches its own route
        first = next(r for r in ROUTES if isinstance(r, Route) and r.path_regex.match(path))
        candidates = [r for r in router.candidates(path) if isinstance(r, Route) and r.path_regex.match(path)]
        assert candidates and candidates[0] is first, route.path


def test_methods_unknown_paths_and_slashes_answer_as_before(platform):
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        assert c.get("/api/v1/health").status_code == 200
        assert c.delete("/api/v1/health").status_code == 405
        assert c.get("/api/v1/no-such-thing").status_code == 404
        assert c.get("/nowhere/at/all").status_code == 404
        moved = c.get("/datasets/", follow_redirects=False)
        assert moved.status_code in (307, 308) and moved.headers["location"].endswith("/datasets")
