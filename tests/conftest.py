"""Fixtures: a real platform on real SQLite files, and on a real PostgreSQL schema when reachable.

PostgreSQL tests run whenever a server answers at GONGSHI_TEST_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test). With GONGSHI_REQUIRE_POSTGRES=1 (set by
.ci/run) an unreachable server fails those tests instead of skipping them.
"""
from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gongshi.config import Settings
from gongshi.platform import Platform

PG_URL = os.environ.get("GONGSHI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
TODAY = dt.date(2026, 11, 25)


def _postgres_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3):
            return None
    except Exception as e:  # noqa: BLE001 - any failure means "not reachable"
        return str(e)


_PG_PROBLEM = _postgres_available()


def require_postgres() -> None:
    if _PG_PROBLEM is None:
        return
    if os.environ.get("GONGSHI_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required here but not reachable at {PG_URL}: {_PG_PROBLEM}")
    pytest.skip(f"PostgreSQL not reachable at {PG_URL}")


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request) -> str:
    if request.param == "postgresql":
        require_postgres()
    return request.param


@pytest.fixture
def settings(store: str, tmp_path: Path) -> Iterator[Settings]:
    if store == "sqlite":
        yield Settings(home=tmp_path / "home")
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield Settings(home=tmp_path / "home", database_url=PG_URL, schema=schema)
    drop_schema(schema)


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    p = Platform(settings, today=TODAY)
    yield p
    p.close()


@pytest.fixture
def sqlite_platform(tmp_path: Path) -> Iterator[Platform]:
    p = Platform(Settings(home=tmp_path / "home"), today=TODAY)
    yield p
    p.close()
