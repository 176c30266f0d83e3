"""The composition root: one place that builds the ledger, the read models and the runner."""
from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any

from domain.ledger import Ledger
from gongshi.config import Settings
from gongshi.store import bulk_existing_ids
from projections.db import Database
from projections.ledger_views import LedgerViews
from projections.runner import Follower, Runner
from web.auth import TokenStore


class Platform:
    """Everything one Gongshi instance runs on, built from its settings."""

    def __init__(self, settings: Settings | None = None, *, today: dt.date | None = None):
        self.settings = settings or Settings.from_env()
        self.today = today
        if not self.settings.database_url:
            self.settings.home.mkdir(parents=True, exist_ok=True)
        self._follower: Follower | None = None

    @cached_property
    def ledger(self) -> Ledger:
        if self.settings.database_url and self.settings.schema:
            self.views_db.connection  # creates the schema the event store's tables go into
        ledger = Ledger(env=self.settings.event_store_env(), today=self.today)
        ledger.existing_ids = lambda ids: bulk_existing_ids(ledger.recorder, ids)  # type: ignore[method-assign]
        return ledger

    @cached_property
    def views_db(self) -> Database:
        return Database(self.settings.views_url, schema=self.settings.schema)

    @cached_property
    def auth_db(self) -> Database:
        url = self.settings.database_url or f"sqlite:///{self.settings.home / 'auth.sqlite'}"
        return Database(url, schema=self.settings.schema)

    @cached_property
    def tokens(self) -> TokenStore:
        return TokenStore(self.auth_db)

    @cached_property
    def ledger_views(self) -> LedgerViews:
        return LedgerViews(self.views_db)

    @cached_property
    def projections(self) -> list[Any]:
        return [self.ledger_views]

    @cached_property
    def runner(self) -> Runner:
        return Runner(self.ledger, self.projections)

    def submit(self, items: list[Any], **kwargs: Any) -> Any:
        """Store a batch and catch the read models up before answering (read-your-writes)."""
        result = self.ledger.submit(items, **kwargs)
        if result.position is not None:
            self.runner.catch_up()
        return result

    def start_following(self, interval: float = 0.2) -> None:
        if self._follower is None:
            self._follower = Follower(self.runner, interval)
            self._follower.start()

    @property
    def follower_error(self) -> BaseException | None:
        return self._follower.error if self._follower else None

    def close(self) -> None:
        if self._follower is not None:
            self._follower.stop()
            self._follower = None
        if "ledger" in self.__dict__:
            self.ledger.close()
        for name in ("views_db", "auth_db"):
            if name in self.__dict__:
                self.__dict__[name].close()
