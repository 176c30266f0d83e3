"""Settings from the environment, with defaults that work on a fresh machine."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

#: Largest accepted request body for record submissions (bytes); above it the API answers 413.
DEFAULT_MAX_BODY = 10 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None = None  # postgresql://... ; None means the embedded SQLite files
    schema: str | None = None  # PostgreSQL schema for events and views (tests use one each)
    max_body: int = DEFAULT_MAX_BODY
    search_engine: str | None = None
    # Catch the ledger views up with a second process when this many events behind (None: the
    # runner's default, 50,000 on a machine with two cores or more; 0: never).
    bulk_after: int | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        values = dict(
            home=Path(os.environ.get("GONGSHI_HOME", "var")).resolve(),
            database_url=os.environ.get("GONGSHI_DATABASE_URL") or None,
            schema=os.environ.get("GONGSHI_DB_SCHEMA") or None,
            max_body=int(os.environ.get("GONGSHI_MAX_BODY", DEFAULT_MAX_BODY)),
            search_engine=os.environ.get("GONGSHI_SEARCH_ENGINE") or None,
            bulk_after=int(os.environ["GONGSHI_BULK_AFTER"]) if os.environ.get("GONGSHI_BULK_AFTER") else None,
        )
        values.update(overrides)
        return cls(**values)

    @property
    def store_kind(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing library's configuration for this store."""
        if not self.database_url:
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                    "SQLITE_DBNAME": str(self.home / "ledger.sqlite"), **self.extra_env}
        url = urlparse(self.database_url)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_POOL_SIZE": "4",
            "POSTGRES_MAX_OVERFLOW": "4",
        }
        if self.schema:
            env["POSTGRES_SCHEMA"] = self.schema
        return {**env, **self.extra_env}

    @property
    def views_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'views.sqlite'}"
