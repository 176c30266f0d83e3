"""History as of a moment: `position_at` over v_log, and `replay --to` copies that equal what
the live views actually answered at the time (captured during the test, not recomputed)."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from gongshi.cli import main
from gongshi.replay import replay_to, resolve_position
from projections.db import Database
from projections.ledger_views import LedgerViews
from projections.moments import position_at, resolve_moment
from projections.public import Moment, version_clause
from tests.conftest import TODAY, drop_schema
from tests.records import SCJG, entity, penalty

REPO_ROOT = Path(__file__).resolve().parents[1]
UTC = dt.UTC


def at(seconds: int) -> dt.datetime:
    return dt.datetime(2026, 11, 25, 8, 0, 0, tzinfo=UTC) + dt.timedelta(seconds=seconds)


def test_position_at_is_the_longest_prefix_recorded_by_then(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'views.sqlite'}")
    LedgerViews(db)
    # position 2 was stamped before position 1 was stored (a concurrent writer): "as of"
    # second 7 must not include position 1, stamped at second 10, to reach position 2.
    stamps = {1: 10, 2: 5, 3: 20, 4: 20, 6: 30}  # 5 is a gap (PostgreSQL)
    db.executemany("INSERT INTO v_log (position, recorded_at, event, aggregate_id) VALUES (?, ?, 'x', 'a')",
                   [(p, at(s).isoformat()) for p, s in stamps.items()])
    assert position_at(db, at(0)) == 0
    assert position_at(db, at(7)) == 0
    assert position_at(db, at(10)) == 2
    assert position_at(db, at(19)) == 2
    assert position_at(db, at(20)) == 4
    assert position_at(db, at(29).astimezone(dt.timezone(dt.timedelta(hours=8)))) == 4  # any zone
    assert position_at(db, at(31)) == 6
    db.close()


class _Platform:
    """What `resolve_position` asks of a platform: its day, its views and a runner to catch them up."""

    def __init__(self, db: Database):
        self.views_db = db
        self.runner = self

    def clock(self) -> dt.date:
        return TODAY

    def catch_up(self) -> int:
        return 0


def test_replay_to_a_date_and_as_of_a_date_reach_the_same_position(tmp_path):
    """A bare date is the end of that day in China for `replay --to` as for `?as_of=` (replay read it as midnight)."""
    db = Database(f"sqlite:///{tmp_path / 'views.sqlite'}")
    LedgerViews(db)
    china = dt.timezone(dt.timedelta(hours=8))
    stamps = {1: dt.datetime(2026, 1, 5, 10, 0, tzinfo=china), 2: dt.datetime(2026, 1, 5, 23, 30, tzinfo=china),
              3: dt.datetime(2026, 1, 6, 0, 30, tzinfo=china)}
    db.executemany("INSERT INTO v_log (position, recorded_at, event, aggregate_id) VALUES (?, ?, 'x', 'a')",
                   [(p, when.astimezone(UTC).isoformat()) for p, when in stamps.items()])
    assert resolve_position(_Platform(db), "2026-01-05") == resolve_moment(db, "2026-01-05", TODAY).position == 2
    assert resolve_position(_Platform(db), "2026-01-06T00:00") == resolve_moment(db, "2026-01-06T00:00", TODAY).position == 2
    assert resolve_position(_Platform(db), "3") == 3
    db.close()


def test_replay_help_says_what_a_date_means():
    assert "end of that day" in " ".join(CliRunner().invoke(main, ["replay", "--help"]).output.split())


def current_rows(db: Database, moment: Moment) -> dict[str, list[dict]]:
    """What the live views answer for a moment: every record and entity version current then."""
    out = {}
    for table, key in (("v_records", "record_id"), ("v_entities", "entity_key")):
        clause, params = version_clause(moment, "r")
        rows = db.query(f"SELECT * FROM {table} r WHERE {clause} ORDER BY {key}", params)
        out[table] = [{k: v for k, v in row.items() if k != "valid_to"} for row in rows]
    return out


def scratch_db(platform, copy) -> Database:
    if platform.settings.database_url:
        return Database(platform.settings.database_url, schema=copy.views)
    return Database(f"sqlite:///{copy.views}")


def test_replay_to_a_position_equals_what_the_views_answered_then(platform, tmp_path):
    platform.records.submit([entity(), penalty(1), penalty(2), penalty(3)], department=SCJG, submitter="token:a")
    first = platform.ledger.position()
    answered_then = current_rows(platform.views_db, Moment.now())
    time.sleep(0.01)
    between = dt.datetime.now(UTC)
    time.sleep(0.01)
    platform.records.submit([penalty(1, action="correct", reason="金额有误", fine=5), penalty(4)],
                    department=SCJG, submitter="token:a")
    platform.records.submit([{"kind": "penalty", "action": "withdraw", "reason": "决定被撤销", "authority_code": SCJG,
                      "document_number": "本市监罚〔2024〕2号"}], department=SCJG, submitter="token:a")
    assert current_rows(platform.views_db, Moment.now()) != answered_then

    assert position_at(platform.views_db, between) == first
    assert current_rows(platform.views_db, Moment(first, "2026-11-25")) == answered_then
    copy = replay_to(platform, first, tmp_path / "as-of")
    scratch = scratch_db(platform, copy)
    try:
        assert current_rows(scratch, Moment.now()) == answered_then
        assert scratch.execute("SELECT MAX(position) FROM v_log")[0][0] == first
        assert scratch.execute("SELECT COUNT(*) FROM v_leaves")[0][0] == first
        assert scratch.execute("SELECT COUNT(*) FROM v_heads")[0][0] == 0  # a copy signs nothing
        assert not (copy.home / "keys").exists()
    finally:
        scratch.close()
        if platform.settings.database_url:
            drop_schema(copy.views)
    assert platform.views_db.execute("SELECT MAX(position) FROM v_log")[0][0] == platform.ledger.position()


def test_replay_to_a_time_on_the_command_line(sqlite_platform, tmp_path):
    sqlite_platform.records.submit([penalty(1), penalty(2)], department=SCJG, submitter="token:a")
    time.sleep(0.01)
    between = dt.datetime.now(UTC).isoformat()
    time.sleep(0.01)
    sqlite_platform.records.submit([penalty(3)], department=SCJG, submitter="token:a")
    home = sqlite_platform.settings.home
    sqlite_platform.close()
    env = {**os.environ, "GONGSHI_HOME": str(home)}
    env.pop("GONGSHI_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "gongshi.cli", "replay", "--to", between, "--into",
                             str(tmp_path / "copy")], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "as of log position 2" in result.stdout
    copy = Database(f"sqlite:///{tmp_path / 'copy' / 'views.sqlite'}")
    assert copy.execute("SELECT COUNT(*) FROM v_records")[0][0] == 2
    copy.close()
    refused = subprocess.run([sys.executable, "-m", "gongshi.cli", "replay", "--to", "99"], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and "outside the log" in refused.stderr
