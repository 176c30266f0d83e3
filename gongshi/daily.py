"""A job run once per day (China time) in a background thread, as `gongshi serve` runs the deadline job.

The thread looks at the day every `interval` seconds and runs the job when the day has
changed since its last successful run (so once on start, then after each midnight). A job
that fails is tried again at the next look. Running a day's job twice is harmless for the
jobs that use this (domain/deadlines.py decisions are idempotent), so several servers on one
store may each run it.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("gongshi.daily")


class Daily:
    def __init__(self, name: str, job: Callable[[dt.date], Any], clock: Callable[[], dt.date], interval: float = 60.0):
        self.name = name
        self.job = job
        self.clock = clock
        self.interval = interval
        self.last: dt.date | None = None  # the day of the last successful run
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"gongshi-daily-{name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def tick(self) -> bool:
        """Run the job if today's run is still due; True when it ran now."""
        today = self.clock()
        if today == self.last:
            return False
        try:
            outcome = self.job(today)
        except Exception as exc:  # try again at the next look; the server keeps serving
            self.error = exc
            log.exception("daily %s job for %s failed", self.name, today)
            return False
        self.last, self.error = today, None
        log.info("daily %s job for %s: %s", self.name, today, outcome)
        return True

    def _run(self) -> None:
        self.tick()
        while not self._stop.wait(self.interval):
            self.tick()
