"""Answers cached by log position: a public read is a pure function of (URL, position, day).

So the present is cached under the position the data reflects, and a request first reads
that position (one indexed row) to look its answer up: a new event changes the position
and is seen at once, a new day changes the key. Reads with `as_of` are not cached.
"""
from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from projections.public import Moment, reflected_position
from web.context import Platform

Loader = Callable[[Request], Awaitable[dict[str, Any]]]
Clock = Callable[[Any, Moment], int]
SIZE = 1024


class Answer:
    """The data of one answer, and its JSON encoding (made once, on first use)."""

    __slots__ = ("data", "_json", "_derived")
    #: renderings kept per answer (a page per referring site, say): a bound, so odd requests cannot grow it
    DERIVED = 16

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self._json: bytes | None = None
        self._derived: dict[Any, Any] = {}

    def derived(self, key: Any, make: Callable[[], Any]) -> Any:
        """A rendering of this answer that depends on `key` too (made once per key, up to DERIVED keys)."""
        found = self._derived.get(key)
        if found is None:
            found = make()
            if len(self._derived) < self.DERIVED:
                self._derived[key] = found
        return found

    @property
    def json(self) -> bytes:
        if self._json is None:
            self._json = json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).encode()
        return self._json


_cache: OrderedDict[tuple, Answer] = OrderedDict()  # used from the event loop only: no lock


async def read_now(request: Request, work: Callable[[Any, Moment], dict[str, Any]]) -> dict[str, Any]:
    """`work(platform, now)` in a worker thread, the answer carrying the position it reflects (what `cached`
    keys it by) and no `as_of`: the loader of every public answer that is read at the present only."""
    platform = request.app.state.platform
    moment = Moment.now(platform.clock())

    def run() -> dict[str, Any]:
        return {**work(platform, moment), "position": reflected_position(platform.views_db, moment), "as_of": None}

    return await run_in_threadpool(run)


def views_clock(platform: Platform, moment: Moment) -> int:
    return reflected_position(platform.views_db, moment)


def index_clock(platform: Platform, moment: Moment) -> int:
    return platform.search_index.position()


def cached(loader: Loader, clock: Clock = views_clock) -> Callable[[Request], Awaitable[Answer]]:
    """`loader`'s answers, cached by URL, the position `clock` reads and the day."""
    async def answer(request: Request) -> Answer:
        if request.query_params.get("as_of", "").strip():
            return Answer(await loader(request))
        platform = request.app.state.platform
        moment = Moment.now(platform.clock())
        if clock is views_clock and platform.views_db.dialect == "sqlite":
            position = clock(platform, moment)  # one indexed read of a local file: cheaper than a thread hop
        else:
            position = await run_in_threadpool(clock, platform, moment)  # a server round trip: off the loop
        store = (platform.views_db.url, platform.views_db.schema, str(platform.settings.home))
        key = (store, request.url.path, request.url.query, position, moment.today)
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
        found = Answer(await loader(request))
        if found.data.get("position") == position:  # else a write came in between: do not keep it
            _cache[key] = found
            while len(_cache) > SIZE:
                _cache.popitem(last=False)
        return found
    return answer
