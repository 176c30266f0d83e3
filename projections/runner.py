"""Follows the ledger's notification log and feeds the projections, exactly once.

The library's SQLite recorder has no subscriptions, so the runner polls the log in
batches. Each projection stores its position in the same transaction as its rows (or,
for the search index, in the same commit as its documents), and skips what it has
already seen, so two processes catching up at once never apply an event twice.

A projection that must see the events as stored (the integrity log hashes the stored
bytes) sets `wants_notifications = True` and receives `(position, Notification)` pairs
instead of decoded events. A projection with a `tick()` method has it called after every
catch-up, also when there was nothing new (the integrity log signs due heads there).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

Event = tuple[int, Any]  # (log position, decoded domain event)


class Projection(Protocol):
    name: str

    def position(self) -> int:
        """The last log position this projection has durably applied."""

    def apply(self, events: Sequence[Event], position: int) -> None:
        """Apply events (all after `position()`) and durably record `position`."""

    def reset(self) -> None:
        """Drop everything and start again from position 0."""


class Runner:
    """Catches a set of projections up with the log."""

    def __init__(self, ledger: Any, projections: Sequence[Projection], batch_size: int = 1000):
        self.ledger = ledger
        self.projections = list(projections)
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def position(self) -> int:
        """The position every projection has reached (the slowest one's)."""
        return min((p.position() for p in self.projections), default=0)

    def catch_up(self, stop: int | None = None, progress: Callable[[int], None] | None = None) -> int:
        """Apply everything up to `stop` (default: the end of the log); return the position reached."""
        with self._lock:
            reached = self._catch_up(stop, progress)
            for projection in self.projections:
                tick = getattr(projection, "tick", None)
                if tick is not None:
                    tick()
            return reached

    def _catch_up(self, stop: int | None, progress: Callable[[int], None] | None) -> int:
        positions = {p.name: p.position() for p in self.projections}
        start = min(positions.values(), default=0)
        recorder, mapper = self.ledger.recorder, self.ledger.mapper
        while True:
            notifications = recorder.select_notifications(start, self.batch_size, stop=stop, inclusive_of_start=False)
            if not notifications:
                return start
            decoded: list[Event] | None = None
            last = notifications[-1].id
            for projection in self.projections:
                done = positions[projection.name]
                if done < last:
                    if getattr(projection, "wants_notifications", False):
                        events: Sequence[Event] = [(n.id, n) for n in notifications]
                    else:
                        if decoded is None:
                            decoded = [(n.id, mapper.to_domain_event(n)) for n in notifications]
                        events = decoded
                    projection.apply([e for e in events if e[0] > done] if done > start else events, last)
                    positions[projection.name] = last
            if progress:
                progress(last - start)
            start = last
            if len(notifications) < self.batch_size:
                return start

    def reset(self) -> None:
        with self._lock:
            for projection in self.projections:
                projection.reset()


class Follower:
    """A background thread that keeps the projections caught up (writes from other processes)."""

    def __init__(self, runner: Runner, interval: float = 0.2):
        self.runner = runner
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gongshi-follower", daemon=True)
        self.error: BaseException | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.runner.catch_up()
                self.error = None
            except Exception as exc:  # keep following; the error is reported by /api/v1/health
                self.error = exc
