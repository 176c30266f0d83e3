"""Merkle tree benchmark: encode and hash a million synthetic log events, build the tree,
append more one by one, and time proof generation and the verifier's streamed root.

    .venv/bin/python bench/merkle_bench.py [--leaves 1000000] [--requests 1000]

Prints the machine and a Markdown table to stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402

import gongshi_verify  # noqa: E402
from projections import merkle  # noqa: E402
from projections.merkle import MerkleLog  # noqa: E402

SEED = 9162
NAMESPACE = uuid.UUID("6ba7b812-9dad-11d1-80b4-00c04fd430c8")


def synthetic_events(start: int, count: int) -> Iterator[SimpleNamespace]:
    """Stored events shaped like the platform's: a few hundred bytes of JSON with Chinese text."""
    for position in range(start + 1, start + count + 1):
        state = {
            "credit_code": "91350100M000100Y43",
            "title": f"行政处罚决定书 榕市监罚〔2026〕{position}号",
            "authority": "福州市市场监督管理局",
            "decided_on": "2026-03-01",
        }
        yield SimpleNamespace(
            id=position,
            originator_id=uuid.uuid5(NAMESPACE, f"/records/{position // 3}"),
            originator_version=position % 3 + 1,
            topic="domain.records:Record.Recorded",
            state=json.dumps(state, ensure_ascii=False).encode("utf-8"),
        )


def event_leaf_hashes(start: int, count: int) -> Iterator[bytes]:
    for event in synthetic_events(start, count):
        yield merkle.leaf_hash(merkle.leaf_bytes(event))


def timed(action: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def percentiles_ms(action: Callable[[], object], times: int) -> tuple[float, float]:
    samples = []
    for _ in range(times):
        elapsed, _ = timed(action)
        samples.append(elapsed * 1000)
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[94]


def current_rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(SEED)
    n = args.leaves
    rows: list[tuple[str, str]] = []

    sample = list(synthetic_events(0, min(n, 100_000)))
    encode_s, _ = timed(lambda: [merkle.leaf_hash(merkle.leaf_bytes(event)) for event in sample])
    rows.append(("leaf_bytes + leaf_hash per stored event", f"{encode_s / len(sample) * 1e6:.1f} µs"))
    del sample
    hash_s, leaves = timed(lambda: list(event_leaf_hashes(0, n)))
    rows.append((f"generate, encode and leaf-hash {n:,} synthetic events", f"{hash_s:.2f} s"))
    rss_before = current_rss_mib()
    build_s, tree = timed(lambda: MerkleLog.from_leaf_hashes(leaves))
    rows.append((f"build tree over {n:,} leaf hashes", f"{build_s:.2f} s"))
    rows.append(("tree memory (RSS growth while building)", f"{current_rss_mib() - rss_before:.0f} MiB"))
    root_s, _ = timed(tree.root)
    rows.append(("root of the full tree", f"{root_s * 1000:.3f} ms"))

    more = list(event_leaf_hashes(n, args.appends))
    append_s, _ = timed(lambda: [tree.append(leaf) for leaf in more])
    per_append_us = append_s / args.appends * 1e6
    rows.append((f"append {args.appends:,} leaves one by one", f"{append_s * 1000:.2f} ms ({per_append_us:.1f} µs each)"))
    size = tree.size

    def inclusion() -> None:
        tree_size = rng.randint(1, size)
        tree.inclusion_proof(rng.randrange(tree_size), tree_size)

    def consistency() -> None:
        first, second = sorted((rng.randint(1, size), rng.randint(1, size)))
        tree.consistency_proof(first, second)

    def verify_inclusion() -> None:
        tree_size = rng.randint(1, size)
        index = rng.randrange(tree_size)
        proof, root = tree.inclusion_proof(index, tree_size), tree.root(tree_size)
        assert merkle.verify_inclusion(tree.leaf(index), index, tree_size, proof, root)

    for name, action in [
        ("inclusion proof, random historical size", inclusion),
        ("consistency proof, random size pair", consistency),
        ("inclusion proof + root + verify", verify_inclusion),
    ]:
        p50, p95 = percentiles_ms(action, args.requests)
        rows.append((f"{name} (p50 / p95 of {args.requests})", f"{p50:.3f} / {p95:.3f} ms"))

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "merkle.leaves"
        save_s, _ = timed(lambda: tree.save(path))
        load_s, reloaded = timed(lambda: MerkleLog.load(path))
        assert reloaded.root() == tree.root()
        rows.append((f"save / reload leaf file ({path.stat().st_size / 2**20:.1f} MiB)", f"{save_s:.2f} / {load_s:.2f} s"))

    stream_s, streamed = timed(lambda: gongshi_verify.merkle_root(tree.leaf(i) for i in range(size)))
    assert streamed == tree.root()
    rows.append((f"verifier: streamed root over {size:,} leaf hashes", f"{stream_s:.2f} s"))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak RSS of the whole bench process", f"{peak_mib:.0f} MiB"))

    print(f"Machine: {describe()}\n")
    print("| measure | result |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
