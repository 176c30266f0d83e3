"""Catching the ledger views up with a second process (projections/bulk.py) gives exactly the rows
that batch-by-batch catching up gives, never applies an event twice, and leaves the readers'
indexes out of a rebuild until it has caught up.

Most tests turn `SOLO_START` off: the two processes then take turns from the first batch
(otherwise this process would do a small log alone before the second one has started)."""
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
    monkeypatch.setattr(bulk, "SOLO_START", False)
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
    monkeypatch.setattr(bulk, "SOLO_START", False)
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
    monkeypatch.setattr(bulk, "SOLO_START", False)
    db = platform.views_db
    platform.ledger_views.reset()
    Runner(platform.ledger, [LedgerViews(db)]).catch_up(stop=450)  # "another process" got this far
    views = _StalePosition(db, stale=0)
    assert bulk.catch_up(views, platform.ledger, end) == 450  # refused to write events 1-200 again
    Runner(platform.ledger, [views], bulk_after=0).catch_up()
    assert dump(db) == expected


def test_a_failing_partner_is_reported_and_leaves_whole_batches_to_go_on_from(sqlite_platform, monkeypatch):
    end = fill(sqlite_platform)
    sqlite_platform.runner.catch_up()
    db = sqlite_platform.views_db
    expected = dump(db)
    views = sqlite_platform.ledger_views
    views.reset()
    monkeypatch.setattr(bulk, "BATCH", 200)
    monkeypatch.setattr(bulk, "SOLO_START", False)
    # the second process builds its ledger from this environment; this process reads with its own
    monkeypatch.setattr(sqlite_platform.ledger, "env", {"PERSISTENCE_MODULE": "no.such.module"})
    with pytest.raises(RuntimeError, match="row builder failed"):
        bulk.catch_up(views, sqlite_platform.ledger, end)
    assert views.position() == 0  # it failed before it was ready: nothing written
    assert db.execute("SELECT COUNT(*) FROM v_log")[0][0] == 0
    Runner(sqlite_platform.ledger, [views], bulk_after=0).catch_up()
    assert dump(db) == expected


def test_a_partner_failing_mid_run_is_reported_and_the_tables_hold_whole_batches(sqlite_platform, monkeypatch):
    from eventsourcing.persistence import StoredEvent
    import uuid

    end = fill(sqlite_platform)
    # an event no process can read, at the end of the log: in the partner's last batch
    sqlite_platform.ledger.recorder.insert_events(
        [StoredEvent(originator_id=uuid.uuid4(), originator_version=1, topic="gongshi:No.Such", state=b"{}")])
    size = 190  # any size that gives the partner (every second batch) the last one
    batches = -(-(end + 1) // size)
    assert batches % 2 == 0, "the last batch should be the partner's; change the batch size if this fails"
    db = sqlite_platform.views_db
    views = sqlite_platform.ledger_views
    Runner(sqlite_platform.ledger, [views], bulk_after=0).catch_up(stop=(batches - 1) * size)
    expected = dump(db)
    views.reset()
    monkeypatch.setattr(bulk, "BATCH", size)
    monkeypatch.setattr(bulk, "SOLO_START", False)
    with pytest.raises(RuntimeError, match="row builder failed"):
        bulk.catch_up(views, sqlite_platform.ledger, end + 1)
    assert views.position() == (batches - 1) * size
    assert dump(db) == expected


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
    env = {**cli_env(settings), "GONGSHI_BULK_AFTER": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "gongshi.cli", "replay"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    probe = Platform(settings, today=TODAY)
    try:
        # before the replay's reset the position is `end`, right after it 0: wait for the first bulk batch
        wait_until(lambda: (0 < probe.ledger_views.position() < end and partners(proc.pid))
                   or proc.poll() is not None)
        reached = probe.ledger_views.position()
        builders = partners(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        probe.close()
    assert 0 < reached < end, "the kill should land mid-rebuild; make the log bigger if this fails"
    assert builders
    # the second process sees the first one gone and stops (it writes nothing out of turn)
    wait_until(lambda: not any(running(pid) for pid in builders), timeout=30)
    assert_views_equal_a_replay(settings)


def partners(pid: int) -> list[int]:
    """The multiprocessing children of a process, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmdline = f.read()
            except (OSError, ValueError, IndexError):
                continue
            if ppid == pid and b"multiprocessing" in cmdline:
                found.append(int(entry))
    return found


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"  # a zombie has stopped
    except OSError:
        return False


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
    platform.records.submit([penalty(i, document_number=f"本市监罚测〔2026〕{i}号") for i in range(1, 26)],
                            department=SCJG, submitter="t", visible=False)
    assert Runner(platform.ledger, [views], batch_size=10, bulk_after=0).catch_up() == end + 25
    assert sizes == [10, 10, 5]  # near the end, batches stay small (short write locks)
