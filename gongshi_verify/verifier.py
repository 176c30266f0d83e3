"""The verifier's checks and command line; the package docstring is the specification.

Deliberately self-contained (stdlib + cryptography): it re-implements Gongshi's leaf
encoding, RFC 9162 tree hashing and proof checks, and head signatures from the spec,
so an auditor need trust nothing else from the instance under audit.
"""
from __future__ import annotations

import argparse
import base64
import binascii
import datetime
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

PAGE_SIZE = 1000
EMPTY_ROOT = hashlib.sha256(b"").digest()
HEAD_PREFIX = b"gongshi-tree-head-v1\n"
_ENTRY_FIELDS = {"position": int, "originator_id": str, "originator_version": int, "topic": str, "state": str}
_HEX64 = re.compile(r"[0-9a-f]{64}")


class VerificationError(Exception):
    """A check failed; the message says which one and why."""


def leaf_bytes(entry: Mapping[str, Any]) -> bytes:
    """The canonical bytes of one log entry as served by /api/v1/log/entries."""
    if not isinstance(entry, Mapping):
        raise VerificationError(f"a log entry is not a JSON object: {entry!r:.80}")
    for name, kind in _ENTRY_FIELDS.items():
        value = entry.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise VerificationError(f"log entry {entry!r:.80} lacks a valid {name!r}")
    fields = {name: entry[name] for name in _ENTRY_FIELDS}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaf_hashes: Iterable[bytes]) -> bytes:
    """RFC 9162 MTH, streamed: keeps only the O(log n) roots of the complete subtrees so far."""
    stack: list[tuple[int, bytes]] = []  # (leaf count, hash); counts strictly decrease
    for digest in leaf_hashes:
        count = 1
        while stack and stack[-1][0] == count:
            digest, count = node_hash(stack.pop()[1], digest), count * 2
        stack.append((count, digest))
    if not stack:
        return EMPTY_ROOT
    root = stack.pop()[1]
    while stack:
        root = node_hash(stack.pop()[1], root)
    return root


def _climb(fn: int, sn: int, seed: bytes, path: Sequence[bytes]) -> tuple[bytes, bytes] | None:
    """The proof loop shared by RFC 9162 2.1.3.2 and 2.1.4.2: (fr, sr), or None if sn ends non-zero."""
    fr = sr = seed
    for c in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return (fr, sr) if sn == 0 else None


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2: leaf hash `leaf` is leaf `index` of the tree `root` of `size`."""
    if not 0 <= index < size:
        return False
    result = _climb(index, size - 1, leaf, path)
    return result is not None and result[1] == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2, plus: equal sizes need equal roots, size 0 the empty root; both an empty path."""
    if not 0 <= first <= second:
        return False
    if first == 0 or first == second:
        expected = EMPTY_ROOT if first == 0 else second_root
        return first_root == expected and not path
    if not path:
        return False
    path = ([first_root] if first & (first - 1) == 0 else []) + list(path)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return _climb(fn, sn, path[0], path[1:]) == (first_root, second_root)


def head_message(tree_size: int, root_hex: str, timestamp: int) -> bytes:
    return HEAD_PREFIX + f"{tree_size}\n{root_hex}\n{timestamp}\n".encode("ascii")


def _public_key(pem: str | bytes) -> Ed25519PublicKey:
    try:
        key = load_pem_public_key(pem.encode("ascii") if isinstance(pem, str) else pem)
    except ValueError as error:
        raise VerificationError(f"the log key is not a PEM public key: {error}") from error
    if not isinstance(key, Ed25519PublicKey):
        raise VerificationError(f"the log key is a {type(key).__name__}, not Ed25519")
    return key


def _key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()


def verify_head(public_key_pem: str | bytes, head: Any) -> bool:
    """True when `head` is a well-formed tree head signed by this key and naming its key_id."""
    try:
        key = _public_key(public_key_pem)
        size, root_hex, timestamp = head["tree_size"], head["root_hash"], head["timestamp"]
        signature = base64.b64decode(head["signature"], validate=True)
        if head["key_id"] != _key_id(key) or not isinstance(root_hex, str) or not _HEX64.fullmatch(root_hex):
            return False
        if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (size, timestamp)):
            return False
        key.verify(signature, head_message(size, root_hex, timestamp))
    except (VerificationError, KeyError, TypeError, ValueError, binascii.Error, InvalidSignature):
        return False
    return True


class Instance:
    """The audited instance's log API over HTTP."""

    def __init__(self, url: str, timeout: float = 60.0, token: str | None = None) -> None:
        self.base, self.timeout = url.rstrip("/"), timeout
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: int) -> bytes:
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=self.headers), timeout=self.timeout) as response:
                return response.read()
        except (urllib.error.URLError, OSError) as error:
            raise VerificationError(f"could not fetch {url}: {error}") from error

    def json(self, path: str, **params: int) -> Any:
        try:
            return json.loads(self.get(path, **params))
        except (ValueError, UnicodeDecodeError) as error:
            raise VerificationError(f"{path} did not answer with JSON: {error}") from error

    def entries(self, start: int, end: int) -> Iterator[Mapping[str, Any]]:
        """Entries start..end-1, page by page, checking the server sends what was asked."""
        while start < end:
            stop = min(start + PAGE_SIZE, end)
            page = self.json("/api/v1/log/entries", start=start, end=stop)
            entries = page.get("entries") if isinstance(page, dict) else None
            if not isinstance(entries, list) or not 0 < len(entries) <= stop - start:
                raise VerificationError(f"/api/v1/log/entries?start={start}&end={stop} gave no valid page of entries")
            yield from entries
            start += len(entries)


def _hashes(values: Any, what: str) -> list[bytes]:
    if not isinstance(values, list) or not all(isinstance(v, str) and _HEX64.fullmatch(v.lower()) for v in values):
        raise VerificationError(f"the {what} is not a list of SHA-256 hex strings")
    return [bytes.fromhex(v) for v in values]


def _describe(head: Mapping[str, Any]) -> str:
    try:
        when = f"{datetime.datetime.fromtimestamp(head['timestamp'] / 1000, datetime.UTC):%Y-%m-%d %H:%M:%S} UTC"
    except (OverflowError, ValueError, OSError):
        when = f"at {head['timestamp']} ms"
    return f"{head['tree_size']} entries, root {head['root_hash'][:16]}..., signed {when}"


def check_current_head(instance: Instance, pinned_pem: bytes | None) -> tuple[bytes, dict[str, Any]]:
    """Fetch the key and the current head; the head must be signed by the (pinned) key."""
    pem = instance.get("/api/v1/log/key")
    key = _public_key(pem)
    if pinned_pem is not None and _key_id(_public_key(pinned_pem)) != _key_id(key):
        raise VerificationError(f"the instance now signs with key {_key_id(key)}, not the pinned key")
    head = instance.json("/api/v1/log/head")
    if not verify_head(pem, head):
        raise VerificationError("the current tree head's signature does not verify under the instance's key")
    return pem, head


def check_extends(instance: Instance, pem: bytes, kept: Any, head: Mapping[str, Any]) -> None:
    """The current head must extend the kept one: the log before it was not rewritten."""
    if not verify_head(pem, kept):
        raise VerificationError("the kept head does not verify under the instance's current key (or is malformed)")
    first, second = kept["tree_size"], head["tree_size"]
    if first > second:
        raise VerificationError(f"the log shrank: the kept head has {first} entries, the current one {second}")
    path: list[bytes] = []
    if 0 < first < second:
        proof = instance.json("/api/v1/log/proof/consistency", first=first, second=second)
        if not isinstance(proof, dict) or (proof.get("first"), proof.get("second")) != (first, second):
            raise VerificationError(f"the consistency proof answered for other sizes than {first} and {second}")
        path = _hashes(proof.get("consistency_path"), "consistency path")
    if not verify_consistency(first, second, bytes.fromhex(kept["root_hash"]), bytes.fromhex(head["root_hash"]), path):
        raise VerificationError(
            f"the current log (size {second}) is not consistent with the kept head (size {first}):"
            " entries before the kept head were altered"
        )


def check_entry(instance: Instance, head: Mapping[str, Any], index: int) -> Mapping[str, Any]:
    """Leaf `index` as served must be included in the current signed tree."""
    size = head["tree_size"]
    if not 0 <= index < size:
        raise VerificationError(f"entry {index} is outside the current tree of {size} entries")
    entry = next(instance.entries(index, index + 1))
    proof = instance.json("/api/v1/log/proof/inclusion", index=index, tree_size=size)
    if not isinstance(proof, dict) or (proof.get("leaf_index"), proof.get("tree_size")) != (index, size):
        raise VerificationError(f"the inclusion proof answered for another leaf or size than {index} in {size}")
    path = _hashes(proof.get("audit_path"), "audit path")
    if not verify_inclusion(leaf_hash(leaf_bytes(entry)), index, size, path, bytes.fromhex(head["root_hash"])):
        raise VerificationError(f"entry {index} (position {entry.get('position')}) is not in the signed tree as served")
    return entry


def check_full(instance: Instance, head: Mapping[str, Any]) -> None:
    """Every entry, downloaded and hashed, must give the signed root, in increasing position order."""
    last_position = 0

    def hashes() -> Iterator[bytes]:
        nonlocal last_position
        for entry in instance.entries(0, head["tree_size"]):
            data = leaf_bytes(entry)
            if entry["position"] <= last_position:
                raise VerificationError(f"position {entry['position']} follows {last_position}: the log is out of order")
            last_position = entry["position"]
            yield leaf_hash(data)

    if merkle_root(hashes()).hex() != head["root_hash"]:
        raise VerificationError(f"the {head['tree_size']} entries as served do not hash to the signed root")


def _read(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        raise VerificationError(f"cannot read the {what} {path}: {error}") from error


def run(args: argparse.Namespace) -> None:
    instance = Instance(args.url, args.timeout, args.token)
    pinned = _read(args.key_file, "pinned key") if args.key_file else None
    pem, head = check_current_head(instance, pinned)
    print(f"ok  current head: {_describe(head)}")
    if args.head_file:
        try:
            kept = json.loads(_read(args.head_file, "kept head"))
        except ValueError as error:
            raise VerificationError(f"the kept head {args.head_file} is not JSON: {error}") from error
        check_extends(instance, pem, kept, head)
        print(f"ok  extends the kept head: {_describe(kept)}")
    for index in args.entry or []:
        entry = check_entry(instance, head, index)
        print(f"ok  entry {index} (position {entry['position']}, {entry['topic']}) is in the tree")
    if args.full:
        check_full(instance, head)
        print(f"ok  all {head['tree_size']} entries hash to the signed root")
    if args.save_head:
        with open(args.save_head, "w", encoding="utf-8") as file:
            json.dump(head, file, indent=2)
        print(f"ok  saved the verified head to {args.save_head}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gongshi_verify", description="Verify a Gongshi instance's event log.")
    parser.add_argument("--url", required=True, help="the instance's base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--head-file", help="a signed head kept earlier: check the current log extends it")
    parser.add_argument("--save-head", help="write the current head here once everything verified")
    parser.add_argument("--key-file", help="the instance's public key PEM, pinned: fail if it changed")
    parser.add_argument("--entry", type=int, action="append", help="check leaf N (0-based) is in the tree; repeatable")
    parser.add_argument("--full", action="store_true", help="download every entry and recompute the root")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per HTTP request (default 60)")
    parser.add_argument("--token", default=os.environ.get("GONGSHI_TOKEN"),
                        help="an auditor token (or env GONGSHI_TOKEN): entries carry private fields, so an "
                             "instance serves them to auditors only unless it publishes them")
    args = parser.parse_args(argv)
    try:
        run(args)
    except VerificationError as error:
        print(f"FAIL: {error}", file=sys.stderr)
        return 1
    print("verified")
    return 0
