"""`gongshi replay`: the read models can be dropped and rebuilt from the log, identically."""
from __future__ import annotations

import subprocess
import sys

from gongshi.replay import replay, verify
from tests.records import SCJG, entity, penalty
from tests.test_crash import cli_env


def fill(platform) -> None:
    platform.records.submit([entity()], department=SCJG, submitter="t")
    platform.records.submit([penalty(i) for i in range(1, 301)], department=SCJG, submitter="t")
    platform.records.submit([penalty(5, action="correct", reason="更正", fine=9),
                     {"kind": "penalty", "action": "withdraw", "reason": "撤销", "authority_code": SCJG,
                      "document_number": "本市监罚〔2024〕6号"},
                     entity(address="辽宁省本溪市明山区新明路99号", change_date="2025-01-02")],
                    department=SCJG, submitter="t")


def dump(platform) -> list:
    return [platform.views_db.execute(f"SELECT * FROM {t} ORDER BY 1, 2") for t in ("v_records", "v_entities", "v_log")]


def test_replay_rebuilds_byte_identical_read_models(platform):
    fill(platform)
    before = dump(platform)
    assert replay(platform) == platform.ledger.position() == 304
    assert dump(platform) == before


def test_verify_reports_no_difference_for_honest_read_models(platform):
    fill(platform)
    position, diffs = verify(platform)
    assert position == 304 and all(d.equal for d in diffs)


def test_verify_finds_a_tampered_read_model(platform):
    fill(platform)
    platform.views_db.execute("UPDATE v_records SET party_name='篡改' WHERE valid_to IS NULL AND document_number=?",
                              ("本市监罚〔2024〕7号",))
    _, diffs = verify(platform)
    records = next(d for d in diffs if d.table == "v_records")
    assert not records.equal and "篡改" in records.examples[0]


def test_replay_verify_cli_exit_status(settings, platform):
    fill(platform)
    ok = subprocess.run([sys.executable, "-m", "gongshi.cli", "replay", "--verify"], env=cli_env(settings),
                        capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert "verified" in ok.stdout
    platform.views_db.execute("DELETE FROM v_entities")
    bad = subprocess.run([sys.executable, "-m", "gongshi.cli", "replay", "--verify"], env=cli_env(settings),
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1 and "DIFFERENT" in bad.stdout
