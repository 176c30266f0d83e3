"""A router that tries only the routes that can match a path, in their order: Starlette's Router tries every route
in turn, and with ~190 routes a request for one late in the list paid for ~150 failed matches (measured: a cached
answer cost 0.31 ms at route 152 against 0.23 ms at route 18, in-process).

Routes are indexed by the literal segments their path starts with (up to three: `/api/v1/entities/{key}` is
under ("api", "v1", "entities")); a request's candidates are the routes under every prefix of its own segments,
in the original order, so the first full match and the method-not-allowed partial match are exactly Starlette's.
Routes without a plain path (mounts, hosts) are candidates for every request. The slash-redirect fallback is
Starlette's own (it walks every route, rarely).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send

DEPTH = 3


def _literal_prefix(path: str) -> tuple[str, ...]:
    out = []
    for segment in path.strip("/").split("/")[:DEPTH]:
        if not segment or "{" in segment:
            break
        out.append(segment)
    return tuple(out)


class IndexedRouter(Router):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._index: dict[tuple[str, ...], list[int]] = {}
        self._everywhere: list[int] = []
        self._candidates: dict[tuple[str, ...], list[BaseRoute]] = {}
        for i, route in enumerate(self.routes):
            if isinstance(route, Route):
                self._index.setdefault(_literal_prefix(route.path), []).append(i)
            else:
                self._everywhere.append(i)

    def candidates(self, path: str) -> Sequence[BaseRoute]:
        segments = tuple(path.strip("/").split("/")[:DEPTH])
        found = self._candidates.get(segments)
        if found is None:
            indices = set(self._everywhere)
            for n in range(len(segments) + 1):
                indices.update(self._index.get(segments[:n], ()))
            found = [self.routes[i] for i in sorted(indices)]
            if len(self._candidates) < 4096:  # paths with ids in the first segments would grow it: bounded
                self._candidates[segments] = found
        return found

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        partial = partial_scope = None
        for route in self.candidates(scope["path"]):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is not None:
            scope["route"] = partial
            scope.update(partial_scope or {})
            await partial.handle(scope, receive, send)
            return
        await super().app(scope, receive, send)  # the slash redirect, then the 404: Starlette's own
