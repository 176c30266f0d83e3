"""Per-client rate limits for the public's writes (complaint filings, credit reports issued): a sliding window in
this process.

What counts is what was stored (a refused filing stores nothing and costs a validation only).

With several web processes each keeps its own window, so a client gets at most N times the
limit: acceptable for abuse control (a department also flags malicious reports); a shared
limit would live in the database.
"""
from __future__ import annotations

import time
from collections import defaultdict, deque
from threading import Lock

from starlette.requests import Request


class RateLimit:
    def __init__(self, limit: int, seconds: float):
        self.limit, self.seconds = limit, seconds
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = Lock()

    def full(self, client: str) -> bool:
        """The client has used up its window."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits[client]
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            return len(hits) >= self.limit

    def hit(self, client: str) -> None:
        with self._lock:
            self._hits[client].append(time.monotonic())


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def window(request: Request, name: str, limit: int, seconds: float) -> RateLimit:
    """The app's window `name` (one per web process), made on first use."""
    state = request.app.state
    if not hasattr(state, "rate_limits"):
        state.rate_limits = {}
    if name not in state.rate_limits:
        state.rate_limits[name] = RateLimit(limit, seconds)
    return state.rate_limits[name]
