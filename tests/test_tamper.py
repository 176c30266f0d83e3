"""Tampering with the event store itself, on real SQLite files and real PostgreSQL tables.

Each test builds a log of 30 events with a signed head per minute, keeps the last head
as an auditor would, closes the platform and alters the stored events behind its back:
one byte of a state, a deleted row, two rows swapped, a forged row appended, and (on
PostgreSQL, whose positions have gaps) a forged row inserted into a gap. Then:

- `gongshi verify` (the command, in a separate process) exits 1 and names the first
  altered position and what happened there;
- the independent verifier, run against the instance served over HTTP, refuses the log
  against the kept head (`--full`) and refuses the altered entry (`--entry`).

A forged row appended at the end is the exception for the second check: once a running
instance has witnessed it, it is a new event like any other (see `gongshi/verify.py`).
"""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from gongshi.config import Settings
from gongshi.platform import Platform
from tests.conftest import PG_URL, TODAY
from tests.records import SCJG, penalty
from tests.test_integrity import Clock, use_clock
from tests.test_integrity_api import live_server, run_verifier
from web.app import create_app

pytestmark = pytest.mark.slow
REPO_ROOT = Path(__file__).resolve().parents[1]


class EventTable:
    """Raw SQL access to the library's events table, as an intruder with database access has."""

    def __init__(self, settings: Settings):
        self.postgres = settings.database_url is not None
        if self.postgres:
            import psycopg

            self.conn = psycopg.connect(PG_URL, autocommit=True)
            self.table, self.id = f'"{settings.schema}".gongshi_ledger_events', "notification_id"
        else:
            self.conn = sqlite3.connect(settings.home / "ledger.sqlite", isolation_level=None)
            self.table, self.id = "stored_events", "rowid"

    def run(self, sql: str, params: tuple = ()) -> list[tuple]:
        cursor = self.conn.execute(sql.format(table=self.table, id=self.id).replace("?", "%s" if self.postgres else "?"),
                                   params)
        return cursor.fetchall() if cursor.description else []

    def state(self, position: int) -> bytes:
        return bytes(self.run("SELECT state FROM {table} WHERE {id}=?", (position,))[0][0])

    def forged_row(self, like: int) -> tuple:
        """A plausible event nobody submitted: another penalty's event with a new id and number."""
        topic, state = self.run("SELECT topic, state FROM {table} WHERE {id}=?", (like,))[0]
        state = bytes(state).replace("〔2024〕".encode(), "〔2023〕".encode())
        originator = uuid.uuid4()
        return (originator if self.postgres else originator.hex), 1, topic, state

    def close(self) -> None:
        self.conn.close()


def modify(table: EventTable, positions: list[int]) -> tuple[str, int]:
    state = bytearray(table.state(positions[6]))
    state[state.index(b"2024") + 3] = ord("5")  # one byte: 2024 -> 2025 in the document number
    table.run("UPDATE {table} SET state=? WHERE {id}=?", (bytes(state), positions[6]))
    return "modified", positions[6]


def delete(table: EventTable, positions: list[int]) -> tuple[str, int]:
    table.run("DELETE FROM {table} WHERE {id}=?", (positions[6],))
    return "deleted", positions[6]


def swap(table: EventTable, positions: list[int]) -> tuple[str, int]:
    p, q = positions[6], positions[16]
    for old, new in ((p, -1), (q, p), (-1, q)):
        table.run("UPDATE {table} SET {id}=? WHERE {id}=?", (new, old))
    return "reordered", p


def append(table: EventTable, positions: list[int]) -> tuple[str, int]:
    table.run("INSERT INTO {table} (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
              table.forged_row(positions[3]))
    return "unwitnessed", positions[-1] + 1


def insert_into_gap(table: EventTable, positions: list[int]) -> tuple[str, int]:
    gap = next(p + 1 for p, q in zip(positions, positions[1:]) if q > p + 1)
    table.run("INSERT INTO {table} (originator_id, originator_version, topic, state, {id}) VALUES (?, ?, ?, ?, ?)",
              (*table.forged_row(positions[3]), gap))
    return "inserted", gap


def cli_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GONGSHI_DATABASE_URL", "GONGSHI_DB_SCHEMA")}
    env["GONGSHI_HOME"] = str(settings.home)
    if settings.database_url:
        env.update(GONGSHI_DATABASE_URL=settings.database_url, GONGSHI_DB_SCHEMA=settings.schema)
    return env


def build_log(settings: Settings, tmp_path: Path) -> tuple[list[int], Path]:
    """30 events in three batches a minute apart (a gap between them on PostgreSQL); keep the last head."""
    platform = Platform(settings, today=TODAY)
    try:
        clock = use_clock(platform, Clock())
        for batch in range(3):
            numbers = range(batch * 10 + 1, batch * 10 + 11)
            platform.records.submit([penalty(n) for n in numbers], department=SCJG, submitter="token:test")
            clock.advance(61)
            if settings.database_url and batch == 0:  # rolled-back inserts leave gaps like these
                platform.views_db.execute("SELECT nextval(pg_get_serial_sequence(?, 'notification_id'))",
                                          (f'"{settings.schema}".gongshi_ledger_events',))
        positions = [n.id for n in platform.ledger.recorder.select_notifications(0, 100, inclusive_of_start=False)]
        kept = tmp_path / "kept.json"
        kept.write_text(json.dumps(platform.integrity.latest_head()))
        assert json.loads(kept.read_text())["tree_size"] == 30
    finally:
        platform.close()
    return positions, kept


def check_tampering(settings: Settings, tmp_path: Path, monkeypatch, tamper) -> None:
    positions, kept = build_log(settings, tmp_path)
    table = EventTable(settings)
    try:
        kind, position = tamper(table, positions)
    finally:
        table.close()

    result = subprocess.run([sys.executable, "-m", "gongshi.cli", "verify", "--json"], cwd=REPO_ROOT,
                            env=cli_env(settings), capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert (report["first"]["kind"], report["first"]["position"]) == (kind, position), report
    assert f"first bad position: position {position} ({kind})" in result.stderr

    monkeypatch.setenv("GONGSHI_LOG_ENTRIES", "public")
    with live_server(create_app(Platform(settings, today=TODAY), follow=False)) as url:
        full = run_verifier(url, "--head-file", str(kept), "--full")
        entry = run_verifier(url, "--entry", "6")
    if tamper is append:  # witnessed at start-up: history before it is intact, the append is "new"
        assert full.returncode == 0, full.stderr
        return
    assert full.returncode == 1, full.stdout
    assert "FAIL" in full.stderr
    if tamper in (modify, swap):
        assert entry.returncode == 1 and f"entry 6 (position {positions[6]})" in entry.stderr


@pytest.mark.parametrize("tamper", [modify, delete, swap, append], ids=lambda t: t.__name__)
def test_verify_and_the_independent_verifier_catch_tampering(settings, tmp_path, monkeypatch, tamper):
    check_tampering(settings, tmp_path, monkeypatch, tamper)


@pytest.mark.parametrize("store", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_row_forged_into_a_gap_between_positions_is_caught(settings, tmp_path, monkeypatch):
    check_tampering(settings, tmp_path, monkeypatch, insert_into_gap)


def test_an_untampered_log_verifies_with_a_kept_head_file(settings, tmp_path):
    _, kept = build_log(settings, tmp_path)
    result = subprocess.run([sys.executable, "-m", "gongshi.cli", "verify", "--head-file", str(kept)], cwd=REPO_ROOT,
                            env=cli_env(settings), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "30 stored events, 30 witnessed leaves, 3 signed heads checked" in result.stdout


def test_a_rewrite_of_both_store_and_witness_is_caught_by_the_heads(settings, tmp_path):
    positions, kept = build_log(settings, tmp_path)
    table = EventTable(settings)
    try:
        modify(table, positions)
    finally:
        table.close()
    platform = Platform(settings, today=TODAY)
    try:  # the intruder recomputes the witness too; only the signatures are out of reach
        from projections import merkle

        notification = platform.ledger.recorder.select_notifications(positions[6], 1)[0]
        platform.views_db.execute("UPDATE v_leaves SET leaf_hash=? WHERE position=?",
                                  (merkle.leaf_hash(merkle.leaf_bytes(notification)).hex(), positions[6]))
    finally:
        platform.close()
    result = subprocess.run([sys.executable, "-m", "gongshi.cli", "verify", "--json"], cwd=REPO_ROOT,
                            env=cli_env(settings), capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    first = json.loads(result.stdout)["first"]
    assert first["kind"] == "head" and f"leaves 0..9 (positions {positions[0]}..{positions[9]})" in first["message"]


def test_the_first_altered_position_is_named_among_hundreds_of_findings(sqlite_platform):
    from gongshi.verify import verify_log

    platform = sqlite_platform
    platform.records.submit([penalty(n) for n in range(1, 301)], department=SCJG, submitter="token:test")
    table = EventTable(platform.settings)
    try:
        modify(table, list(range(1, 301)))
        table.run("DELETE FROM {table} WHERE {id} > 20")
    finally:
        table.close()
    report = verify_log(platform.ledger.recorder, platform.views_db, public_pem=platform.integrity.signer.public_pem,
                        grace=0)
    assert (report.first.kind, report.first.position) == ("modified", 7)
    assert len(report.findings) == 100 and len(report.findings) + report.unlisted == 280 + 1 + 1  # deletions, edit, head
    assert [f.position for f in report.findings[:3]] == [7, 21, 22]
