"""The integrity log: leaves witnessed in log order with their position, heads signed on time.

Runs on real SQLite files and a real PostgreSQL schema (the `platform` fixture). The
signing clock is injected: "at least every minute" is tested without waiting a minute.
"""
from __future__ import annotations

import pytest

import gongshi_verify as verifier
from gongshi.platform import Platform
from gongshi.replay import replay
from projections import heads, merkle
from projections.integrity import LogRewrittenError, kept_heads, leaf_index_of, leaf_indices_of, stored_entries
from tests.conftest import TODAY
from tests.records import SCJG, entity, penalty

START = 1_800_000_000.0  # 2027-01-15, seconds since the epoch


class Clock:
    """A settable clock for the head signer."""

    def __init__(self, now: float = START):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def use_clock(platform: Platform, clock: Clock | None = None) -> Clock:
    clock = clock or Clock()
    platform.integrity.signer.clock = clock
    return clock


def submit(platform: Platform, *numbers: int) -> int:
    return platform.records.submit([penalty(n) for n in numbers], department=SCJG, submitter="token:test").position


def stored(platform: Platform) -> list:
    return list(platform.ledger.recorder.select_notifications(0, 100_000, inclusive_of_start=False))


def head_sizes(platform: Platform) -> list[int]:
    return [h["tree_size"] for h in kept_heads(platform.views_db)]


def test_each_event_becomes_the_next_leaf_with_its_position_and_stored_hash(platform):
    use_clock(platform)
    submit(platform, 1, 2, 3)
    platform.records.submit([entity()], department=SCJG, submitter="token:test")
    submit(platform, 4)
    rows = platform.views_db.execute(
        "SELECT leaf_index, position, originator_id, originator_version, leaf_hash FROM v_leaves ORDER BY leaf_index")
    notifications = stored(platform)
    assert [r[0] for r in rows] == list(range(len(notifications))) == list(range(5))
    for (index, position, originator, version, digest), n in zip(rows, notifications):
        assert (position, originator, version) == (n.id, str(n.originator_id), n.originator_version)
        assert digest == merkle.leaf_hash(merkle.leaf_bytes(n)).hex()
        assert leaf_index_of(platform.views_db, n.id) == index
    assert leaf_indices_of(platform.views_db, [n.id for n in notifications] + [999]) == {
        n.id: i for i, n in enumerate(notifications)}
    tree, size = platform.integrity.snapshot()
    assert size == 5 and tree.root() == verifier.merkle_root(bytes.fromhex(r[4]) for r in rows)


def test_entries_are_read_from_the_store_by_leaf_index(platform):
    submit(platform, 1, 2, 3, 4)
    entries = stored_entries(platform.views_db, platform.ledger.recorder, 1, 3)
    assert entries == [merkle.log_entry(n) for n in stored(platform)[1:3]]
    assert stored_entries(platform.views_db, platform.ledger.recorder, 3, 9) == []  # beyond the witness


def test_the_empty_tree_gets_a_head_at_first_start(platform):
    use_clock(platform)
    platform.runner.catch_up()
    (head,) = kept_heads(platform.views_db)
    assert head["tree_size"] == 0 and head["root_hash"] == merkle.EMPTY_ROOT.hex()
    assert heads.verify_head(platform.integrity.signer.public_pem, head)


def test_heads_are_signed_at_least_every_minute_while_the_log_grows(platform):
    clock = use_clock(platform)
    submit(platform, 1, 2, 3)
    assert head_sizes(platform) == [3]  # the first growth is signed at once
    clock.advance(30)
    submit(platform, 4)
    clock.advance(29)
    platform.runner.catch_up()
    assert head_sizes(platform) == [3]  # growth waits for the minute...
    clock.advance(1)
    platform.runner.catch_up()
    assert head_sizes(platform) == [3, 4]  # ...and is signed when it is up, with no new event
    clock.advance(3600)
    platform.runner.catch_up()
    assert head_sizes(platform) == [3, 4]  # a quiet log gets no new heads
    submit(platform, 5)
    assert head_sizes(platform) == [3, 4, 5]  # growth after a quiet spell is signed at once
    witnessed_at = {}
    for n in range(6, 36):  # one event every 10 s for five minutes, the follower ticking meanwhile
        clock.advance(10)
        witnessed_at[submit(platform, n)] = clock.now
        platform.runner.catch_up()
    clock.advance(60)
    platform.runner.catch_up()
    signed = kept_heads(platform.views_db)
    assert signed[-1]["tree_size"] == platform.integrity.snapshot()[1] == 35
    for position, when in witnessed_at.items():
        covering = min(h["timestamp"] for h in signed if h["tree_size"] >= position)
        assert covering - when * 1000 <= 60_000, position
    growth = [b["timestamp"] - a["timestamp"] for a, b in zip(signed[3:], signed[4:])]
    assert growth and min(growth) >= 60_000  # and not more often than that


def test_every_kept_head_verifies_and_is_consistent_with_the_later_ones(platform):
    clock = use_clock(platform)
    for n in range(1, 40, 3):
        submit(platform, n, n + 1, n + 2)
        clock.advance(61)
    signed = kept_heads(platform.views_db)
    tree, _ = platform.integrity.snapshot()
    assert len(signed) == 13
    for earlier, later in zip(signed, signed[1:]):
        assert verifier.verify_head(platform.integrity.signer.public_pem, later)
        proof = tree.consistency_proof(earlier["tree_size"], later["tree_size"])
        assert verifier.verify_consistency(earlier["tree_size"], later["tree_size"], bytes.fromhex(earlier["root_hash"]),
                                           bytes.fromhex(later["root_hash"]), proof)


def test_leaves_and_position_are_one_transaction(platform):
    use_clock(platform)
    signer = platform.integrity.signer

    def fail(size, root):
        raise RuntimeError("signing failed")

    signer.sign = fail
    with pytest.raises(RuntimeError):
        submit(platform, 1, 2)
    assert platform.integrity.position() == 0
    assert platform.views_db.execute("SELECT COUNT(*) FROM v_leaves")[0][0] == 0
    assert platform.integrity.snapshot()[1] == 0  # the in-memory tree forgot the rolled-back leaves
    del signer.sign
    platform.runner.catch_up()
    assert platform.integrity.snapshot()[1] == 2 and head_sizes(platform) == [2]


def test_two_processes_continue_one_tree(platform, settings):
    use_clock(platform)
    submit(platform, 1, 2, 3)
    other = Platform(settings, today=TODAY)
    try:
        use_clock(other, Clock(START + 1))
        assert other.integrity.snapshot()[1] == 3
        other.records.submit([penalty(4), penalty(5)], department=SCJG, submitter="token:other")
        assert [r[0] for r in other.views_db.execute("SELECT leaf_index FROM v_leaves ORDER BY leaf_index")] == [0, 1, 2, 3, 4]
        mine, size = platform.integrity.snapshot()
        theirs, _ = other.integrity.snapshot()
        assert size == 5 and mine.root() == theirs.root()
    finally:
        other.close()


def test_a_replay_rebuilds_the_views_but_keeps_the_witness_and_the_heads(platform):
    use_clock(platform)
    submit(platform, 1, 2, 3)
    before = platform.views_db.execute("SELECT * FROM v_leaves ORDER BY leaf_index")
    signed = kept_heads(platform.views_db)
    replay(platform)
    assert platform.views_db.execute("SELECT * FROM v_leaves ORDER BY leaf_index") == before
    assert kept_heads(platform.views_db) == signed


def test_the_signer_refuses_to_extend_a_rewritten_witness(platform, settings):
    use_clock(platform)
    submit(platform, 1, 2, 3)
    platform.views_db.execute("UPDATE v_leaves SET leaf_hash=? WHERE leaf_index=1", ("00" * 32,))
    restarted = Platform(settings, today=TODAY)
    try:
        use_clock(restarted, Clock(START + 3600))
        with pytest.raises(LogRewrittenError, match="size 3"):
            restarted.records.submit([penalty(4)], department=SCJG, submitter="token:test")
        assert head_sizes(restarted) == [3]
    finally:
        restarted.close()
