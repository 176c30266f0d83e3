"""The Merkle tree over the event log (RFC 9162 section 2.1): proofs that nothing was altered.

Leaf i (0-based) of the tree is the i-th stored event in log order; the tree of size n
covers the first n stored events. Auditors check it with the independent verifier
`gongshi_verify`, which re-implements everything below from this description.

Leaf encoding (`leaf_bytes`)
----------------------------
The leaf is the UTF-8 encoding of one JSON object with exactly these five members,
keys in this (sorted) order, no whitespace anywhere::

    {"originator_id":"<uuid>","originator_version":<int>,"position":<int>,"state":"<text>","topic":"<text>"}

- ``position``: the notification id, the event's global log position (1, 2, 3, ...).
- ``originator_id``: the aggregate id as text; for a UUID ``str(uuid)``, 36 lowercase hex-and-hyphen chars.
- ``originator_version``: the aggregate version, a decimal integer.
- ``state``: the stored state bytes decoded as UTF-8 and embedded as a JSON *string*
  (the event's JSON is not parsed or re-ordered; it is hashed as stored).
- ``topic``: the event topic string.

Strings are escaped as Python's ``json.dumps(..., ensure_ascii=False)`` does: ``"`` and
``\\`` get a backslash, U+0008/0009/000A/000C/000D become ``\\b \\t \\n \\f \\r``, the other
U+0000..U+001F become ``\\u00xx`` (lowercase hex), and every other character, Chinese
included, is written literally in UTF-8. In Python this is::

    json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

Hashes
------
``leaf_hash = SHA-256(0x00 || leaf bytes)``, ``node_hash = SHA-256(0x01 || left || right)``,
the root of the empty tree is ``SHA-256("")``; for n > 1 leaves the tree splits at the
largest power of two smaller than n (RFC 9162 MTH). Inclusion proofs are RFC 9162 PATH,
consistency proofs RFC 9162 PROOF, both listed from the leaf side up.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class LoggedEvent(Protocol):
    """What the tree needs of a stored event: an eventsourcing `Notification` fits."""

    id: int
    originator_id: Any
    originator_version: int
    topic: str
    state: bytes


def log_entry(notification: LoggedEvent) -> dict[str, Any]:
    """The public form of one stored event: what the leaf hashes and the log API serves."""
    try:
        state = bytes(notification.state).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"event at position {notification.id} has state that is not UTF-8 text"
            " (is the event store compressing or encrypting?)"
        ) from error
    return {
        "position": int(notification.id),
        "originator_id": str(notification.originator_id),
        "originator_version": int(notification.originator_version),
        "topic": str(notification.topic),
        "state": state,
    }


def leaf_bytes(notification: LoggedEvent) -> bytes:
    """The canonical encoding of one stored event (see the module docstring)."""
    return json.dumps(
        log_entry(notification), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _climb(fn: int, sn: int, seed: bytes, path: Sequence[bytes]) -> tuple[bytes, bytes] | None:
    """Step 4 of RFC 9162 2.1.3.2, which is step 6 of 2.1.4.2: hash up the path.

    Returns (fr, sr), the hashes rebuilt for the smaller and the larger tree, or None
    when the path does not fit the sizes (sn reaches 0 early or is non-zero at the end).
    """
    fr = sr = seed
    for c in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return (fr, sr) if sn == 0 else None


def verify_inclusion(
    leaf: bytes, leaf_index: int, tree_size: int, audit_path: Sequence[bytes], root: bytes
) -> bool:
    """Check an inclusion proof of the leaf hash `leaf` (RFC 9162 section 2.1.3.2)."""
    if not 0 <= leaf_index < tree_size:
        return False
    climbed = _climb(leaf_index, tree_size - 1, leaf, audit_path)
    return climbed is not None and climbed[1] == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, consistency_path: Sequence[bytes]
) -> bool:
    """Check that the tree of size `second` extends the one of size `first` (RFC 9162 2.1.4.2).

    Beyond the RFC (which requires 0 < first < second): equal sizes need equal roots and an
    empty path, and the empty tree is extended by every tree, with an empty path.
    """
    if not 0 <= first <= second:
        return False
    if first == 0:
        return first_root == EMPTY_ROOT and not consistency_path
    if first == second:
        return first_root == second_root and not consistency_path
    if not consistency_path:
        return False
    path = list(consistency_path)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return _climb(fn, sn, path[0], path[1:]) == (first_root, second_root)


def _parents(level: bytes | bytearray) -> bytearray:
    """The hashes one level up from a level of complete subtrees (pairs only)."""
    view, sha = memoryview(level), hashlib.sha256
    pairs = range(0, len(level) - len(level) % (2 * HASH_SIZE), 2 * HASH_SIZE)
    return bytearray(b"".join(sha(b"\x01" + view[i : i + 2 * HASH_SIZE]).digest() for i in pairs))


class MerkleLog:
    """An append-only Merkle tree over leaf hashes, answering for any past size.

    `_levels[j]` holds, 32 bytes each, the roots of every complete, aligned subtree of
    2**j leaves (level 0 is the leaves): about 64 bytes a leaf in all. Every subtree the
    RFC recursion asks for is either one of these or splits into them, so roots and
    proofs cost O(log n) hashes and lookups, and an append O(1) amortised.

    One writer may append while other threads read: a reader sees the tree as of the
    size it asked for.
    """

    def __init__(self) -> None:
        self._levels: list[bytearray] = [bytearray()]

    @classmethod
    def from_leaf_hashes(cls, leaf_hashes: Iterable[bytes]) -> MerkleLog:
        """Build the tree over these leaf hashes, level by level."""
        leaves = bytearray()
        for leaf in leaf_hashes:
            if len(leaf) != HASH_SIZE:
                raise ValueError(f"a leaf hash is {HASH_SIZE} bytes, not {len(leaf)}")
            leaves += leaf
        return cls._from_level0(leaves)

    @classmethod
    def from_bytes(cls, data: bytes) -> MerkleLog:
        """Rebuild the tree from `leaf_hashes_bytes()` output."""
        return cls._from_level0(bytearray(data))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MerkleLog:
        """Rebuild the tree from a file written by `save()`."""
        with open(path, "rb") as file:
            leaves = bytearray(os.fstat(file.fileno()).st_size)
            if file.readinto(leaves) != len(leaves):
                raise ValueError(f"{path} changed while it was being read")
        return cls._from_level0(leaves)

    @classmethod
    def _from_level0(cls, leaves: bytearray) -> MerkleLog:
        if len(leaves) % HASH_SIZE:
            raise ValueError(f"leaf hashes must be {HASH_SIZE} bytes each; got {len(leaves)} bytes in all")
        tree = cls()
        tree._levels = [leaves]
        while len(tree._levels[-1]) >= 2 * HASH_SIZE:
            tree._levels.append(_parents(tree._levels[-1]))
        return tree

    @property
    def size(self) -> int:
        """The number of leaves."""
        return len(self._levels[0]) // HASH_SIZE

    def __len__(self) -> int:
        return self.size

    def leaf(self, index: int) -> bytes:
        """The leaf hash at `index` (0-based)."""
        if not 0 <= index < self.size:
            raise IndexError(f"leaf index {index} is outside a tree of size {self.size}")
        return bytes(self._levels[0][index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def leaf_hashes_bytes(self) -> bytes:
        """All leaf hashes, concatenated in order: the only state worth persisting."""
        return bytes(self._levels[0])

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the leaf hashes to `path` atomically (a crash leaves the old file whole)."""
        target = Path(path)
        temporary = target.with_name(target.name + ".tmp")
        with open(temporary, "wb") as file:
            file.write(self.leaf_hashes_bytes())  # a copy: appends may go on meanwhile
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)

    def append(self, leaf: bytes) -> int:
        """Add one leaf hash; return its index."""
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes, not {len(leaf)}")
        index = self.size
        level, node, digest = 0, index, bytes(leaf)
        while node & 1:  # a right child completes its parent
            start = (node - 1) * HASH_SIZE
            digest = node_hash(self._levels[level][start : start + HASH_SIZE], digest)
            level, node = level + 1, node >> 1
            if level == len(self._levels):
                self._levels.append(bytearray())
            self._levels[level] += digest
        # The size grows last, so a reader in another thread never sees a half-added leaf.
        self._levels[0] += leaf
        return index

    def root(self, size: int | None = None) -> bytes:
        """The tree head hash (MTH) over the first `size` leaves; the current tree by default."""
        size = self._check_size(size)
        return self._subtree(0, size) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 PATH(index, D[size]): the audit path of leaf `index` in the tree of `size`."""
        size = self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf index {index} is outside a tree of size {size}")
        return self._path(index, 0, size)

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """RFC 9162 PROOF(first, D[second]); empty when first is 0 or equals second."""
        second = self._check_size(second)
        if not 0 <= first <= second:
            raise ValueError(f"first size {first} is not between 0 and {second}")
        return self._subproof(first, 0, second, True) if first else []

    def _check_size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} is outside 0..{self.size}")
        return size

    def _subtree(self, start: int, n: int) -> bytes:
        """MTH(D[start:start+n]); in the RFC recursion `start` is aligned to n's power of two."""
        if n & (n - 1) == 0:
            level = n.bit_length() - 1
            offset = (start >> level) * HASH_SIZE
            return bytes(self._levels[level][offset : offset + HASH_SIZE])
        k = _split(n)
        return node_hash(self._subtree(start, k), self._subtree(start + k, n - k))

    def _path(self, m: int, start: int, n: int) -> list[bytes]:
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return self._path(m, start, k) + [self._subtree(start + k, n - k)]
        return self._path(m - k, start + k, n - k) + [self._subtree(start, k)]

    def _subproof(self, m: int, start: int, n: int, complete: bool) -> list[bytes]:
        if m == n:
            return [] if complete else [self._subtree(start, n)]
        k = _split(n)
        if m <= k:
            return self._subproof(m, start, k, complete) + [self._subtree(start + k, n - k)]
        return self._subproof(m - k, start + k, n - k, False) + [self._subtree(start, k)]
