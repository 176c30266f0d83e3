"""The integrity log: the Merkle tree over the event log, witnessed and signed as it grows.

It follows the log like every projection, but hashes each event as STORED (topic and
state bytes, `projections.merkle.leaf_bytes`), so it asks the runner for notifications
rather than decoded events. In the views database, in one transaction with its tracking
position:

    v_leaves (leaf_index, position, originator_id, originator_version, leaf_hash)
        leaf i is the i-th event in log order (PostgreSQL positions may have gaps, so the
        leaf index is not position - 1); leaf_hash is lowercase hex.
    v_heads (tree_size, root_hash, signed_at, signature, key_id)
        every signed tree head ever served (`projections.heads`), signed_at in ms.

v_leaves is the witness of what the log held when each event was first seen: `gongshi
verify` compares the store with it and with every kept head to name the first position
that was modified, deleted, inserted or reordered. It is therefore not dropped by a
replay (`reset` keeps it), and v_heads is not derived from the log at all.

A head is signed when none exists yet (the empty tree at first start), and otherwise when
the tree has grown past the latest head and that head is at least `interval` seconds old:
at the first growth after a quiet spell, and at least once a minute while the log keeps
growing (`tick`, called after every catch-up, signs growth that waited). Before signing,
the tree must still extend the latest head: an instance never signs a rewritten history.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projections import heads, merkle
from projections.db import Database
from projections.tracked import TrackedTables
from projections.merkle import MerkleLog
from projections.runner import Event

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS v_leaves (leaf_index BIGINT PRIMARY KEY, position BIGINT NOT NULL UNIQUE, "
    "originator_id TEXT NOT NULL, originator_version BIGINT NOT NULL, leaf_hash TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS v_leaves_originator ON v_leaves (originator_id, originator_version)",
    "CREATE TABLE IF NOT EXISTS v_heads (tree_size BIGINT NOT NULL, root_hash TEXT NOT NULL, "
    "signed_at BIGINT NOT NULL, signature TEXT NOT NULL, key_id TEXT NOT NULL, PRIMARY KEY (tree_size, signed_at))",
]
HEAD_COLUMNS = "tree_size, root_hash, signed_at, signature, key_id"
SIGN_INTERVAL = 60.0
_LOAD_CHUNK = 100_000


class LogRewrittenError(Exception):
    """The log as stored no longer extends a head this instance signed: it refuses to sign on."""


@dataclass
class HeadSigner:
    """The instance key and the signing policy; `clock` (seconds since the epoch) is injectable."""

    key: Ed25519PrivateKey
    clock: Callable[[], float] = time.time
    interval: float = SIGN_INTERVAL
    public_pem: str = field(init=False)

    def __post_init__(self) -> None:
        self.public_pem = heads.public_key_pem(self.key)

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def due(self, size: int, latest: dict[str, Any] | None) -> bool:
        """Whether a head over `size` leaves should be signed now, given the latest head."""
        if latest is None:
            return True
        return size > latest["tree_size"] and self.now_ms() - latest["timestamp"] >= self.interval * 1000

    def sign(self, size: int, root: bytes) -> dict[str, Any]:
        return heads.sign_head(self.key, size, root, self.now_ms())


def head_from_row(row: Sequence[Any]) -> dict[str, Any]:
    """A v_heads row in the published head shape (`projections.heads`)."""
    size, root, signed_at, signature, key = row
    return {"tree_size": int(size), "root_hash": root, "timestamp": int(signed_at), "signature": signature, "key_id": key}


def latest_head(db: Database) -> dict[str, Any] | None:
    """The head over the largest tree (the newest of them): what /api/v1/log/head serves."""
    rows = db.execute(f"SELECT {HEAD_COLUMNS} FROM v_heads ORDER BY tree_size DESC, signed_at DESC LIMIT 1")
    return head_from_row(rows[0]) if rows else None


def kept_heads(db: Database, start: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
    """Every kept head in signing order (by tree size, then time)."""
    paging = f" LIMIT {int(limit)} OFFSET {int(start)}" if limit is not None else ""
    rows = db.execute(f"SELECT {HEAD_COLUMNS} FROM v_heads ORDER BY tree_size, signed_at{paging}")
    return [head_from_row(r) for r in rows]


def leaf_index_of(db: Database, position: int) -> int | None:
    """The leaf index of the event at a log position (None until the integrity log has seen it)."""
    rows = db.execute("SELECT leaf_index FROM v_leaves WHERE position=?", (position,))
    return int(rows[0][0]) if rows else None


def leaf_indices_of(db: Database, positions: Iterable[int]) -> dict[int, int]:
    """Leaf indices of many positions at once: {position: leaf index} for those already witnessed."""
    wanted, found = sorted(set(positions)), {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        rows = db.execute(f"SELECT position, leaf_index FROM v_leaves WHERE position IN ({','.join('?' * len(chunk))})", chunk)
        found.update((int(p), int(leaf)) for p, leaf in rows)
    return found


def positions_of(db: Database, originator_id: str) -> dict[int, tuple[int, int]]:
    """{aggregate version: (position, leaf index)} for one aggregate's witnessed events."""
    rows = db.execute("SELECT originator_version, position, leaf_index FROM v_leaves WHERE originator_id=?",
                      (originator_id,))
    return {int(v): (int(p), int(leaf)) for v, p, leaf in rows}


def witnessed_leaves(db: Database, start: int = 0, chunk: int = _LOAD_CHUNK) -> Iterator[tuple[int, int, bytes]]:
    """(leaf index, position, leaf hash) from `start` on, in order, in chunks (flat memory, one connection)."""
    while rows := db.execute("SELECT leaf_index, position, leaf_hash FROM v_leaves WHERE leaf_index >= ? "
                             "ORDER BY leaf_index LIMIT ?", (start, chunk)):
        for index, position, digest in rows:
            yield int(index), int(position), bytes.fromhex(digest)
        start = int(rows[-1][0]) + 1


def stored_entries(db: Database, recorder: Any, start: int, end: int) -> list[dict[str, Any]]:
    """Leaves start..end-1 as log entries, read from the event store as it is now (not from a cache).

    The witness names the positions; whatever the store holds between them is served, so
    a tampered store shows in what an auditor downloads.
    """
    rows = db.execute("SELECT leaf_index, position FROM v_leaves WHERE leaf_index IN (?, ?)", (start, end - 1))
    bounds = {int(i): int(p) for i, p in rows}
    if start not in bounds or end - 1 not in bounds:
        return []
    notifications = recorder.select_notifications(bounds[start], end - start, stop=bounds[end - 1])
    return [merkle.log_entry(n) for n in notifications]


class IntegrityLog(TrackedTables):
    """The projection that keeps v_leaves, an in-memory MerkleLog over them, and v_heads."""

    name = "integrity"
    schema = SCHEMA
    tables = ()  # see reset
    wants_notifications = True  # the runner passes (position, Notification): the stored bytes

    def __init__(self, db: Database, signer: HeadSigner | None = None):
        super().__init__(db)
        self.signer = signer
        self._tree: MerkleLog | None = None
        self._latest: dict[str, Any] | None = None
        self._lock = threading.RLock()  # one mutation of the in-memory tree at a time

    # -- the projection ---------------------------------------------------------------------
    def apply(self, events: Sequence[Event], position: int) -> None:
        with self._lock:
            try:
                super().apply(events, position)
            except BaseException:
                self._forget()  # the tree may hold leaves of the rolled-back batch
                raise

    def _locked_position(self) -> int:
        if self.db.dialect == "postgresql":  # SQLite's BEGIN IMMEDIATE already excludes other writers
            self.db.execute("LOCK TABLE v_leaves IN SHARE ROW EXCLUSIVE MODE")
        return super()._locked_position()

    def write(self, events: Sequence[Event]) -> None:
        tree = self._synced()
        rows = []
        for position, notification in events:
            digest = merkle.leaf_hash(merkle.leaf_bytes(notification))
            index = tree.append(digest)
            rows.append((index, position, str(notification.originator_id), int(notification.originator_version),
                         digest.hex()))
        self.db.executemany("INSERT INTO v_leaves (leaf_index, position, originator_id, originator_version, "
                            "leaf_hash) VALUES (?, ?, ?, ?, ?)", rows)
        self._sign_if_due(tree)

    def reset(self) -> None:
        """Keep the witness: a replay rebuilds the views, not the record of what the log held."""

    def tick(self) -> None:
        """Sign a head if one is due (growth waiting, the latest head old enough)."""
        if self.signer is None:
            return
        with self._lock:
            rows = self.db.execute("SELECT MAX(leaf_index) FROM v_leaves")
            size = 0 if rows[0][0] is None else int(rows[0][0]) + 1
            if self._latest is not None and not self.signer.due(size, self._latest):
                return
            try:
                with self.db.transaction():
                    self._locked_position()
                    self._sign_if_due(self._synced())
            except BaseException:
                self._forget()
                raise

    def _sign_if_due(self, tree: MerkleLog, *, covering: int | None = None) -> None:
        """Inside a write transaction holding the lock: sign and keep a head over `tree` when due
        (or, with `covering`, whenever the latest head is smaller than that)."""
        if self.signer is None:
            return
        latest = self._latest = latest_head(self.db)
        wanted = covering is not None and (latest is None or latest["tree_size"] < covering)
        if not wanted and not self.signer.due(tree.size, latest):
            return
        if latest is not None and tree.root(latest["tree_size"]).hex() != latest["root_hash"]:
            raise LogRewrittenError(
                f"the log no longer extends the signed head of size {latest['tree_size']}; "
                "run `gongshi verify` to find the first altered position")
        head = self.signer.sign(tree.size, tree.root())
        self.db.execute(f"INSERT INTO v_heads ({HEAD_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                        (head["tree_size"], head["root_hash"], head["timestamp"], head["signature"], head["key_id"]))
        self._latest = head

    # -- the in-memory tree -----------------------------------------------------------------
    def _forget(self) -> None:
        self._tree, self._latest = None, None

    def _synced(self) -> MerkleLog:
        """The in-memory tree with every leaf committed to v_leaves (by any process) appended."""
        if self._tree is None:
            leaves = bytearray()
            for index, _, digest in witnessed_leaves(self.db):
                if index * merkle.HASH_SIZE != len(leaves):
                    raise LogRewrittenError(f"v_leaves skips from leaf {len(leaves) // merkle.HASH_SIZE} to {index}")
                leaves += digest
            self._tree = MerkleLog.from_bytes(bytes(leaves))
            return self._tree
        tree = self._tree
        for index, _, digest in witnessed_leaves(self.db, tree.size):
            if index != tree.size:
                raise LogRewrittenError(f"v_leaves skips from leaf {tree.size} to {index}")
            tree.append(digest)
        return tree

    def snapshot(self) -> tuple[MerkleLog, int]:
        """The tree and its committed size: proofs and roots for any size up to it may be read
        from the tree without the lock (a MerkleLog answers for past sizes while it grows)."""
        with self._lock:
            tree = self._synced()
            return tree, tree.size

    def leaf_index_of(self, position: int) -> int | None:
        """The leaf index of the event at `position` (see the module function)."""
        return leaf_index_of(self.db, position)

    def anchor(self, position: int) -> dict[str, Any]:
        """The tree as it was at a log position: its size (the events up to it) and root, as lowercase hex.

        A LookupError when the integrity log has not yet witnessed that position.
        """
        if self.position() < position:
            raise LookupError(f"the integrity log has not reached position {position}")
        size = int(self.db.execute("SELECT COUNT(*) FROM v_leaves WHERE position <= ?", (position,))[0][0])
        tree, _ = self.snapshot()
        return {"tree_size": size, "root_hash": tree.root(size).hex()}

    def head_covering(self, size: int) -> tuple[dict[str, Any], list[str]]:
        """A signed head over at least `size` leaves (signed now if the latest is smaller), and the
        consistency proof (hex, RFC 9162) from the tree of `size` leaves to that head's tree."""
        if self.signer is None:
            raise LookupError("this instance signs no tree heads")
        head = latest_head(self.db)
        if head is None or head["tree_size"] < size:
            with self._lock:
                try:
                    with self.db.transaction():
                        self._locked_position()
                        self._sign_if_due(self._synced(), covering=size)
                except BaseException:
                    self._forget()
                    raise
            head = latest_head(self.db)
        assert head is not None and head["tree_size"] >= size
        tree, _ = self.snapshot()
        path = tree.consistency_proof(size, head["tree_size"]) if 0 < size < head["tree_size"] else []
        return head, [h.hex() for h in path]

    def latest_head(self) -> dict[str, Any] | None:
        """The latest signed head; at first start, with nothing signed yet, one is signed now."""
        head = latest_head(self.db)
        if head is None and self.signer is not None:
            self.tick()
            head = latest_head(self.db)
        return head
