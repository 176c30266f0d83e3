"""Follows the ledger's notification log and feeds the projections, exactly once.

The library's SQLite recorder has no subscriptions, so the runner polls the log in
batches. Each projection stores its position in the same transaction as its rows (or,
for the search index, in the same commit as its documents), and skips what it has
already seen, so two processes catching up at once never apply an event twice.

A projection that must see the events as stored (the integrity log hashes the stored
bytes) sets `wants_notifications = True` and receives `(position, Notification)` pairs
instead of decoded events. A projection with a `tick()` method has it called after every
catch-up, also when there was nothing new (the integrity log signs due heads there).

A projection with a `bulk_catch_up(ledger, stop, progress)` method that is at least
`bulk_after` events behind catches up on its own first (the ledger views build their rows
in a second process, projections/bulk.py); the others follow in the ordinary loop. Read
models are versioned by position, so a projection that reads another's rows (search reads
the ledger views) may run behind it, never ahead.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from eventsourcing.application import Application

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

    def __init__(self, ledger: Application, projections: Sequence[Projection], batch_size: int = 1000,
                 bulk_after: int | None = None):
        self.ledger = ledger
        self.projections = list(projections)
        self.batch_size = batch_size
        # A second process pays off only with a second core and a long way to go (it starts in about a second).
        self.bulk_after = bulk_after if bulk_after is not None else (50_000 if (os.cpu_count() or 1) > 1 else 0)
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

    def _end(self, stop: int | None) -> int:
        top = self.ledger.recorder.max_notification_id() or 0
        return top if stop is None else min(stop, top)

    def _bulk(self, end: int) -> list[Any]:
        if not self.bulk_after:
            return []
        return [p for p in self.projections
                if hasattr(p, "bulk_catch_up") and end - p.position() >= self.bulk_after]

    def _catch_up(self, stop: int | None, progress: Callable[[int], None] | None) -> int:
        end = self._end(stop)
        bulk = self._bulk(end)
        if bulk:
            behind = {p.name: p.position() for p in self.projections}
            rest = [behind[p.name] for p in self.projections if p not in bulk]
            work = sum(end - behind[p.name] for p in bulk) + end - min(rest, default=end)
            progress = _Scaled(progress, end - min(behind.values()), work) if progress else None
            for projection in bulk:
                projection.bulk_catch_up(self.ledger, end, progress)
        positions = {p.name: p.position() for p in self.projections}
        start = min(positions.values(), default=0)
        recorder, mapper = self.ledger.recorder, self.ledger.mapper
        # Far behind, bigger batches: a tenth of the transactions, and of the search index's commits
        # (one tantivy segment each). Near the end, small ones keep each write lock short.
        size = self.batch_size * 10 if end - start >= self.batch_size * 50 else self.batch_size
        while True:
            notifications = recorder.select_notifications(start, size, stop=stop, inclusive_of_start=False)
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
            if len(notifications) < size:
                return start

    def reset(self) -> None:
        with self._lock:
            for projection in self.projections:
                projection.reset()


class _Scaled:
    """Progress of a catch-up with a bulk phase, in events of the log: a caller's bar still ends at its total."""

    def __init__(self, progress: Callable[[int], None], span: int, work: int):
        self.progress, self.span, self.work = progress, span, max(work, 1)
        self.done = self.reported = 0

    def __call__(self, events: int) -> None:
        self.done += events
        now = min(self.span, self.done * self.span // self.work)
        if now > self.reported:
            self.progress(now - self.reported)
            self.reported = now


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
        seen: int | None = None  # the log's end at the last catch-up that reached it
        while not self._stop.wait(self.interval):
            try:
                end = self.runner.ledger.recorder.max_notification_id() or 0
                if end == seen:
                    continue  # nothing written since: one query, not one per read model, five times a second
                if self.runner.catch_up() >= end:
                    seen = end
                self.error = None
            except Exception as exc:  # keep following; the error is reported by /api/v1/health
                self.error = exc
