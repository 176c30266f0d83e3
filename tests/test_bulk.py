"""Catching the ledger views up with a second process (projections/bulk.py) gives exactly the rows
that batch-by-batch catching up gives, never applies an event twice, and leaves the readers'
indexes out of a rebuild until it has caught up."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from gongshi.demo import generate
from gongshi.loading import load_items
from gongshi.platform import Platform
from projections import bulk
from projections.ledger_views import INDEXES, LedgerViews
from projections.runner import Runner
from tests.conftest import TODAY
from tests.records import SCJG, penalty
from tests.test_crash import assert_views_equal_a_replay, cli_env, wait_until

TABLES = ("v_records", "v_entities", "v_log")


def fill(platform) -> int:
    """Demo data: every kind, corrections, withdrawals, removals, registrations and their changes."""
    summary = load_items(platform, generate(entities=120, seed=11), desc="test")
    assert summary.accepted > 1000 and summary.rejected == 0
    return platform.ledger.position()


def dump(db) -> list:
    return [db.execute(f"SELECT * FROM {t} ORDER BY 1, 2") for t in TABLES]


def index_names(db) -> set[str]:
    if db.dialect == "sqlite":
        rows = db.execute("SELECT name FROM sqlite_master WHERE type='index' AND name LIKE 'v\\_%' ESCAPE '\\'")
    else:
        rows = db.execute("SELECT indexname FROM pg_indexes WHERE schemaname=current_schema()")
    return {r[0] for r in rows}


READER_INDEXES = {statement.split(" ON ")[0].split()[-1] for statement in INDEXES}


def test_bulk_catch_up_writes_the_rows_batch_by_batch_catching_up_writes(platform, monkeypatch):
    end = fill(platform)
    platform.runner.catch_up()
    expected = dump(platform.views_db)
    changes = platform.views_db.execute("SELECT COUNT(*) FROM v_records WHERE version > 1")[0][0]
    assert changes > 20  # corrections, withdrawals and removals: rows that close earlier rows
    # Small batches, so changes find their earlier row in the same batch, in the carried batch
    # (maybe not written yet) and in the tables.
    monkeypatch.setattr(bulk, "BATCH", 37)
    views = platform.ledger_views
    views.reset()
    reported: list[int] = []
    Runner(platform.ledger, [views], bulk_after=1).catch_up(progress=reported.append)
    assert views.position() == end
    assert dump(platform.views_db) == expected
    assert sum(reported) == end


def test_a_replay_reports_progress_up_to_the_log_end_with_a_bulk_phase(platform, monkeypatch):
    end = fill(platform)
    platform.runner.catch_up()
    monkeypatch.setattr(bulk, "BATCH", 500)
    platform.runner.bulk_after = 1
    platform.runner.reset()
    reported: list[int] = []
    assert platform.runner.catch_up(progress=reported.append) == end
    # the bulk phase (ledger views) and the ordinary one (search, integrity, grades, cases) share one bar
    assert sum(reported) == end and len(reported) > 3


def test_a_rebuild_builds_the_readers_indexes_once_caught_up(platform):
    fill(platform)
    platform.runner.catch_up()
    db = platform.views_db
    assert READER_INDEXES <= index_names(db)
    views = platform.ledger_views
    views.reset()
    assert not READER_INDEXES & index_names(db)
    runner = Runner(platform.ledger, [views], batch_size=100)
    runner._catch_up(stop=300, progress=None)  # a build killed here left the indexes out...
    assert not READER_INDEXES & index_names(db)
    restarted = Runner(platform.ledger, [LedgerViews(db)])  # ...and the next start builds them
    restarted.catch_up()
    assert READER_INDEXES <= index_names(db)


class _StalePosition(LedgerViews):
    """Read its position before another process applied a batch (the race bulk.catch_up guards)."""

    def __init__(self, db, stale: int):
        super().__init__(db)
        self.stale = stale

    def position(self) -> int:
        if self.stale is not None:
            stale, self.stale = self.stale, None
            return stale
        return super().position()


def test_bulk_catch_up_gives_way_when_another_process_moved_the_position(platform, monkeypatch):
    end = fill(platform)
    platform.runner.catch_up()
    expected = dump(platform.views_db)
    monkeypatch.setattr(bulk, "BATCH", 200)
    db = platform.views_db
    platform.ledger_views.reset()
    Runner(platform.ledger, [LedgerViews(db)]).catch_up(stop=450)  # "another process" got this far
    views = _StalePosition(db, stale=0)
    assert bulk.catch_up(views, platform.ledger, end) == 450  # refused to write events 1-200 again
    Runner(platform.ledger, [views], bulk_after=0).catch_up()
    assert dump(db) == expected


def test_a_failing_row_builder_is_reported_and_writes_nothing(sqlite_platform, monkeypatch):
    fill(sqlite_platform)
    views = sqlite_platform.ledger_views
    views.reset()

    monkeypatch.setattr(sqlite_platform.ledger, "env", {"PERSISTENCE_MODULE": "no.such.module"})
    with pytest.raises(RuntimeError, match="row builder failed"):
        bulk.catch_up(views, sqlite_platform.ledger, sqlite_platform.ledger.position())
    assert views.position() == 0
    assert sqlite_platform.views_db.execute("SELECT COUNT(*) FROM v_records")[0][0] == 0


@pytest.mark.slow
def test_a_replay_killed_during_its_bulk_phase_catches_up_to_exactly_a_rebuild(settings, tmp_path):
    platform = Platform(settings, today=TODAY)
    try:
        load_items(platform, generate(entities=1500, seed=5), desc="test")
        platform.runner.catch_up()
        end = platform.ledger.position()
    finally:
        platform.close()
    assert end > 12_000
    spool = tmp_path / "tmp"
    spool.mkdir()
    env = {**cli_env(settings), "GONGSHI_BULK_AFTER": "1", "TMPDIR": str(spool)}
    proc = subprocess.Popen([sys.executable, "-m", "gongshi.cli", "replay"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    probe = Platform(settings, today=TODAY)
    try:
        # before the replay's reset the position is `end`, right after it 0: wait for the first bulk batch
        wait_until(lambda: 0 < probe.ledger_views.position() < end or proc.poll() is not None)
        reached = probe.ledger_views.position()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        probe.close()
    assert 0 < reached < end, "the kill should land mid-rebuild; make the log bigger if this fails"
    # the builder sees its writer gone, stops and removes its spool
    wait_until(lambda: not any(p.name.startswith("gongshi-rows-") for p in spool.iterdir()), timeout=30)
    assert_views_equal_a_replay(settings)


def test_the_bulk_threshold_comes_from_the_environment(tmp_path, monkeypatch):
    from gongshi.config import Settings

    monkeypatch.setenv("GONGSHI_HOME", str(tmp_path))
    monkeypatch.setenv("GONGSHI_BULK_AFTER", "0")
    platform = Platform(Settings.from_env(), today=TODAY)
    try:
        assert platform.runner.bulk_after == 0
    finally:
        platform.close()
    monkeypatch.delenv("GONGSHI_BULK_AFTER")
    platform = Platform(Settings.from_env(), today=TODAY)
    try:
        assert platform.runner.bulk_after == (50_000 if (os.cpu_count() or 1) > 1 else 0)
    finally:
        platform.close()


def test_far_behind_the_ordinary_loop_takes_ten_times_bigger_batches_and_writes_the_same(platform):
    end = fill(platform)
    platform.runner.catch_up()
    expected = dump(platform.views_db)
    views = platform.ledger_views
    views.reset()
    sizes: list[int] = []
    apply = views.apply

    def recording(events, position):
        sizes.append(len(events))
        apply(events, position)

    views.apply = recording
    assert end >= 500
    Runner(platform.ledger, [views], batch_size=10, bulk_after=0).catch_up()
    assert sizes[0] == 100 and sum(sizes) == end
    assert dump(platform.views_db) == expected
    sizes.clear()
    platform.ledger.submit([penalty(i, document_number=f"本市监罚测〔2026〕{i}号") for i in range(1, 26)],
                           department=SCJG, submitter="t")
    assert Runner(platform.ledger, [views], batch_size=10, bulk_after=0).catch_up() == end + 25
    assert sizes == [10, 10, 5]  # near the end, batches stay small (short write locks)
