"""`gongshi verify`: recompute the Merkle tree from the event store and check it against
the integrity log's witness (v_leaves) and every kept signed head.

Three independent checks, each naming log positions:

1. Position by position, the store against the witness: the leaf hash recorded when the
   integrity log first saw an event. A different hash is a *modified* event (or a
   *reordered* one, when it is another witnessed event's content moved here), a witnessed
   position missing from the store a *deleted* one, a store position the witness skipped
   an *inserted* one.
2. Every kept head (v_heads, plus heads an auditor kept elsewhere): its signature under the
   instance key, and the root recomputed from the store at its size. A rewrite that also
   rewrote the witness still fails here, narrowed to the leaves between two heads.
3. The tail: events after the witness's end that the integrity log never saw, after a
   short grace for a writer still catching up, are *unwitnessed*: written around the
   platform. (An append made while a platform process follows the log is witnessed like
   any new event: a Merkle log proves history unchanged, not who wrote the newest entry.)

The report's `first` is the earliest position at which anything was found.
"""
from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from projections import heads as signing
from projections import integrity, merkle
from projections.db import Database
from projections.merkle import MerkleLog

BATCH = 5000
MAX_LISTED = 100  # findings kept in full; the rest are only counted
MAX_REORDER_CANDIDATES = 200
TAIL_CHECKED = 1000


@dataclass(frozen=True)
class Finding:
    kind: str  # modified | reordered | deleted | inserted | unwitnessed | head | witness
    position: int | None  # None when only a range of positions is known (see the message)
    message: str


@dataclass
class Report:
    events: int = 0
    witnessed: int = 0
    heads_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    unlisted: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        """The finding at the earliest position (a range-only finding when nothing names one)."""
        placed = [f for f in self.findings if f.position is not None]
        if placed:
            return min(placed, key=lambda f: f.position)
        return self.findings[0] if self.findings else None

    def as_dict(self) -> dict[str, Any]:
        first = self.first
        return {"ok": self.ok, "events": self.events, "witnessed": self.witnessed, "heads_checked": self.heads_checked,
                "first": None if first is None else vars(first), "findings": [vars(f) for f in self.findings],
                "unlisted": self.unlisted}

    def add(self, kind: str, position: int | None, message: str) -> None:
        """Keep a finding; of very many, the earliest positions are kept and the rest counted."""
        self.findings.append(Finding(kind, position, message))
        if len(self.findings) >= 2 * MAX_LISTED:
            self.settle()

    def settle(self) -> None:
        self.findings.sort(key=lambda f: (f.position is None, f.position or 0))
        self.unlisted += max(0, len(self.findings) - MAX_LISTED)
        del self.findings[MAX_LISTED:]


def _leaf(notification: Any) -> bytes:
    try:
        return merkle.leaf_hash(merkle.leaf_bytes(notification))
    except ValueError:  # state no longer UTF-8: it cannot be the event that was hashed
        return merkle.leaf_hash(b"\xff" + bytes(notification.state))


class UnreadableRow(Exception):
    """The store holds a row its own recorder cannot read (e.g. an originator id that is no UUID)."""

    def __init__(self, position: int, error: Exception):
        super().__init__(f"the row at position {position} cannot be read as an event: {error}")
        self.position = position


def _select(recorder: Any, start: int, limit: int, stop: int | None) -> list[Any]:
    """`select_notifications` after `start`; an unreadable row is located by bisection on `stop`."""
    try:
        return list(recorder.select_notifications(start, limit, stop=stop, inclusive_of_start=False))
    except ValueError as error:
        low, high = start, stop if stop is not None else recorder.max_notification_id()
        while high - low > 1:  # rows in (start, low] read fine; the bad row is in (low, high]
            middle = (low + high) // 2
            try:
                recorder.select_notifications(start, limit, stop=middle, inclusive_of_start=False)
                low = middle
            except ValueError:
                high = middle
        raise UnreadableRow(high, error) from error


def _store(recorder: Any, stop: int | None, progress: Callable[[int], None] | None) -> Iterator[Any]:
    start = 0
    while batch := _select(recorder, start, BATCH, stop):
        yield from batch
        if progress:
            progress(len(batch))
        start = batch[-1].id


class _Check:
    """One verification run: the merge of store and witness, then heads, then the tail."""

    def __init__(self, recorder: Any, db: Database, public_pem: str | None, grace: float):
        self.recorder, self.db, self.public_pem, self.grace = recorder, db, public_pem, grace
        self.report = Report()
        self.store_leaves, self.witness_leaves = bytearray(), bytearray()
        self.store_positions = array("q")
        self.mismatched: list[Any] = []  # the first store events that differ from their witnessed hash
        self.witness_hashes: dict[int, bytes] = {}  # their positions -> the witnessed hashes

    def run(self, kept: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None) -> Report:
        rows = self.db.execute("SELECT MAX(position) FROM v_leaves")
        witness_end = rows[0][0] or 0
        try:
            self.compare(_store(self.recorder, witness_end, progress), integrity.witnessed_leaves(self.db))
        except UnreadableRow as bad:  # nothing after it can be compared: the rest is unknown
            self.report.add("modified", bad.position, str(bad))
            return self.report
        self.classify_mismatches()
        self.check_heads([*integrity.kept_heads(self.db), *kept])
        try:
            self.check_tail(witness_end)
        except UnreadableRow as bad:
            self.report.add("unwitnessed", bad.position, str(bad))
        self.report.settle()
        return self.report

    def compare(self, store: Iterator[Any], witness: Iterator[tuple[int, int, bytes]]) -> None:
        report = self.report
        w = next(witness, None)
        for n in store:
            digest = _leaf(n)
            report.events += 1
            self.store_leaves += digest
            self.store_positions.append(n.id)
            while w is not None and w[1] < n.id:
                report.add("deleted", w[1], f"position {w[1]} (leaf {w[0]}) was witnessed but is gone from the store")
                w = self._take(witness, w)
            if w is not None and w[1] == n.id:
                if w[2] != digest and len(self.mismatched) < MAX_REORDER_CANDIDATES:
                    self.mismatched.append(n)
                    self.witness_hashes[n.id] = w[2]
                elif w[2] != digest:
                    self._modified(n)
                w = self._take(witness, w)
            elif w is not None:
                report.add("inserted", n.id, f"position {n.id} is in the store but was never witnessed, "
                                             f"though later positions were: inserted into history")
        while w is not None:
            report.add("deleted", w[1], f"position {w[1]} (leaf {w[0]}) was witnessed but is gone from the store")
            w = self._take(witness, w)

    def _take(self, witness: Iterator[tuple[int, int, bytes]], current: tuple[int, int, bytes]) -> tuple[int, int, bytes] | None:
        """Record `current` as witnessed and move on, checking the witness's own leaf numbering."""
        index = len(self.witness_leaves) // merkle.HASH_SIZE
        if current[0] != index:
            self.report.add("witness", current[1], f"the integrity log skips from leaf {index} to leaf {current[0]}")
        self.witness_leaves += current[2]
        self.report.witnessed += 1
        return next(witness, None)

    def classify_mismatches(self) -> None:
        """A mismatched event is 'reordered' when its content is another mismatched position's witnessed event."""
        for n in self.mismatched:
            origin = next((q for q in self.witness_hashes if q != n.id and _leaf(replace(n, id=q)) == self.witness_hashes[q]),
                          None)
            if origin is not None:
                self.report.add("reordered", n.id, f"position {n.id} now holds the event witnessed at position {origin}")
            else:
                self._modified(n)

    def _modified(self, n: Any) -> None:
        self.report.add("modified", n.id, f"the event at position {n.id} ({n.topic}, {n.originator_id} "
                                          f"v{n.originator_version}) differs from the one witnessed")

    def check_heads(self, heads: list[Mapping[str, Any]]) -> None:
        report = self.report
        store_tree = MerkleLog.from_bytes(bytes(self.store_leaves))
        witness_tree = MerkleLog.from_bytes(bytes(self.witness_leaves))
        if not heads and store_tree.size:
            report.add("head", None, "no signed head is kept (v_heads is empty): nothing anchors the log")
        good, failed = 0, 0
        unique = {(h["tree_size"], h["root_hash"], h["timestamp"]): h for h in heads}
        for (size, root, stamp), head in sorted(unique.items()):
            report.heads_checked += 1
            name = f"the head of size {size} signed at {stamp}"
            if self.public_pem is not None and not signing.verify_head(self.public_pem, head):
                report.add("head", None, f"{name} does not verify under the instance key")
                continue
            if size <= store_tree.size and store_tree.root(size).hex() == root:
                good = max(good, size)
                if witness_tree.size < size or witness_tree.root(size).hex() != root:
                    report.add("witness", None, f"the integrity log (v_leaves) disagrees with {name}, the store does not:"
                                                " the witness table was altered")
                continue
            failed += 1
            if failed == 1:
                report.add("head", None, self._head_failure(name, good, size, store_tree.size))
        if failed > 1:
            report.add("head", None, f"{failed - 1} later heads fail too")

    def _head_failure(self, name: str, good: int, size: int, stored: int) -> str:
        first = self.store_positions[good] if good < len(self.store_positions) else None
        if size > stored:
            return (f"{name} covers {size} events but the store holds {stored}: events were deleted"
                    + (f" at or after position {first}" if first else ""))
        return (f"the store does not hash to {name}: something among leaves {good}..{size - 1} "
                f"(positions {first}..{self.store_positions[size - 1]}) was altered")

    def check_tail(self, witness_end: int) -> None:
        tail = _select(self.recorder, witness_end, TAIL_CHECKED, None)
        if not tail:
            return
        deadline = time.monotonic() + self.grace
        while True:
            rows = self.db.execute("SELECT position, leaf_hash FROM v_leaves WHERE position > ? AND position <= ?",
                                   (witness_end, tail[-1].id))
            seen = {int(p): bytes.fromhex(h) for p, h in rows}
            missing = [n for n in tail if n.id not in seen]
            if not missing or time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        for n in tail:
            if n.id in seen and seen[n.id] != _leaf(n):
                self._modified(n)
        if missing:
            self.report.add("unwitnessed", missing[0].id, f"{len(missing)} event(s) from position {missing[0].id} on "
                            "were never seen by the integrity log: written around the platform")


def verify_log(recorder: Any, db: Database, *, public_pem: str | None, kept: Iterable[Mapping[str, Any]] = (),
               grace: float = 2.0, progress: Callable[[int], None] | None = None) -> Report:
    """Check the event store behind `recorder` against the integrity log in `db` and the heads."""
    if not db.table_exists("v_leaves"):
        report = Report()
        report.add("witness", None, "there is no integrity log (v_leaves) in this database")
        return report
    return _Check(recorder, db, public_pem, grace).run(kept, progress)


def instance_public_pem(key_path: Path, key_file: Path | None = None) -> str | None:
    """The public key heads are checked with: a pinned PEM file, else the instance's own signing
    key (never created here), else None (signatures then go unchecked)."""
    if key_file is not None:
        return key_file.read_text(encoding="ascii")
    if key_path.exists():
        return signing.public_key_pem(signing.load_or_create_key(key_path))
    return None
