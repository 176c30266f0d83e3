"""`gongshi replay`: rebuild every read model from the log, or verify the live ones against a rebuild."""
from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from projections.compare import TableDiff, compare_table
from projections.db import Database
from projections.ledger_views import LedgerViews
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
