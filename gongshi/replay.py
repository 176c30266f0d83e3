"""`gongshi replay`: rebuild every read model from the log, or verify the live ones against a rebuild,
or build a scratch copy of every view as of an earlier position (`replay_to`)."""
from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from domain.moments import not_a_moment, parse_moment
from projections.compare import TableDiff, compare_table
from projections.db import Database
from projections.ledger_views import LedgerViews
from projections.moments import position_of
from projections.runner import Runner

VERIFIED_TABLES = (("v_records", "record_id"), ("v_entities", "entity_key"))


def replay(platform, progress: Callable[[int], None] | None = None) -> int:
    """Drop every read model and rebuild it from position 0; return the position reached."""
    platform.runner.reset()
    return platform.runner.catch_up(progress=progress)


def verify(platform, progress: Callable[[int], None] | None = None) -> tuple[int, list[TableDiff]]:
    """Rebuild into a scratch database and compare it with the live read models at one position."""
    stop = platform.ledger.position()
    platform.runner.catch_up(stop=stop)
    settings = platform.settings
    with tempfile.TemporaryDirectory(prefix="gongshi-verify-") as scratch_dir:
        if settings.database_url:
            scratch = Database(settings.database_url, schema=f"gongshi_verify_{uuid.uuid4().hex[:12]}")
        else:
            scratch = Database(f"sqlite:///{Path(scratch_dir) / 'views.sqlite'}")
        try:
            Runner(platform.ledger, [LedgerViews(scratch)]).catch_up(stop=stop, progress=progress)
            diffs = [compare_table(platform.views_db, scratch, t, k, stop) for t, k in VERIFIED_TABLES]
        finally:
            if scratch.dialect == "postgresql":
                scratch.execute(f'DROP SCHEMA "{scratch.schema}" CASCADE')
            scratch.close()
    return stop, diffs


@dataclass(frozen=True)
class ScratchCopy:
    """Where `replay_to` left its copy: a GONGSHI_HOME-like directory and its views database."""

    position: int
    home: Path
    views: str  # the SQLite file, or the PostgreSQL schema


def replay_to(platform, position: int, into: Path | None = None,
              progress: Callable[[int], None] | None = None) -> ScratchCopy:
    """Rebuild a scratch copy of every view (read models, search index, integrity witness) as of
    `position`, from the live event store; the live views are not touched. The copy is kept for
    the auditor to inspect (drop its directory, and on PostgreSQL its schema, when done)."""
    from gongshi.platform import Platform
    from projections.integrity import IntegrityLog

    end = platform.ledger.position()
    if not 0 <= position <= end:
        raise ValueError(f"position {position} is outside the log (0..{end})")
    settings, tag = platform.settings, uuid.uuid4().hex[:8]
    home = (into or settings.home / "replays" / f"as-of-{position}-{tag}").resolve()
    if settings.database_url:
        store = {"POSTGRES_SCHEMA": settings.schema or "public"}
        scratch_settings = replace(settings, home=home, schema=f"gongshi_replay_{position}_{tag}")
    else:
        store = {"SQLITE_DBNAME": settings.event_store_env()["SQLITE_DBNAME"]}
        scratch_settings = replace(settings, home=home)
    scratch = Platform(replace(scratch_settings, extra_env={**settings.extra_env, **store}), today=platform.today)
    try:
        home.mkdir(parents=True, exist_ok=True)
        scratch.__dict__["integrity"] = IntegrityLog(scratch.views_db)  # a witness only: a copy signs nothing
        scratch.runner.catch_up(stop=position, progress=progress)
    finally:
        scratch.close()
    views = scratch_settings.schema if settings.database_url else scratch_settings.views_url.removeprefix("sqlite:///")
    return ScratchCopy(position, home, views)


def resolve_position(platform, text: str) -> int:
    """A `--to` argument as a log position: a position, or a time or date read as domain/moments.py says."""
    moment = parse_moment(text, platform.clock(), "--to")
    if moment is None:
        raise not_a_moment("--to", text)
    if isinstance(moment, dt.datetime):
        platform.runner.catch_up()  # v_log must have every event to map the time
    return position_of(platform.views_db, moment)
