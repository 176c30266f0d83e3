"""Integrity benchmark (issue 6): head computation over a million events, full and
incremental; proof latency in memory and over HTTP; `gongshi verify` throughput.

    .venv/bin/python bench/integrity_bench.py [--events 1000000] [--pg-events 200000] [--requests 500]

The event stores are real (the eventsourcing library's SQLite file and PostgreSQL table),
filled with stored events shaped like the platform's penalties (about 1.3 KB of JSON each,
Chinese text), written through the library's recorder directly to keep the setup short.
Prints the machine and a Markdown table, and writes bench/results/integrity.md.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsourcing.persistence import StoredEvent  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.routing import Route  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from bench.machine import describe  # noqa: E402
from application.ledger import Ledger  # noqa: E402
from domain.submission import make_checker  # noqa: E402
from domain.records import Record, digest  # noqa: E402
from gongshi.config import Settings  # noqa: E402
from gongshi.verify import verify_log  # noqa: E402
from projections import merkle  # noqa: E402
from projections.db import Database  # noqa: E402
from projections.heads import load_or_create_key  # noqa: E402
from projections.integrity import HeadSigner, IntegrityLog  # noqa: E402
from projections.merkle import MerkleLog  # noqa: E402
from projections.runner import Runner  # noqa: E402
from tests.records import SCJG, penalty  # noqa: E402
from web.audit import log as api_log

PG_URL = os.environ.get("GONGSHI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
OUT = Path(__file__).parent / "results" / "integrity.md"
SEED = 9162
PLACEHOLDER = "本市监罚〔2024〕1号"


class Clock:
    """Signing time that moves a minute per batch, so that each batch is signed as when the log grows steadily."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        self.now += 61
        return self.now


def template(ledger: Ledger) -> StoredEvent:
    """One real penalty event as the library stores it."""
    fields = penalty(1)
    event = Record(kind="penalty", fields=fields, department=SCJG, submitter="token:bench",
                   window=make_checker().window("penalty", fields, SCJG), digest=digest(fields))
    return ledger.mapper.to_stored_event(event.collect_events()[0])


def fill(ledger: Ledger, start: int, count: int, batch: int = 1000) -> None:
    """Append `count` penalty-shaped events (numbers start+1...) straight through the recorder."""
    model = template(ledger)
    for first in range(start + 1, start + count + 1, batch):
        ledger.recorder.insert_events([
            StoredEvent(uuid.uuid5(uuid.NAMESPACE_URL, f"/bench/{n}"), 1, model.topic,
                        model.state.replace(PLACEHOLDER.encode(), f"本市监罚〔2024〕{n}号".encode()))
            for n in range(first, min(first + batch, start + count + 1))])


def timed(action: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def p50_p95_ms(action: Callable[[], object], times: int) -> str:
    samples = [timed(action)[0] * 1000 for _ in range(times)]
    cuts = statistics.quantiles(samples, n=100)
    return f"{cuts[49]:.3f} / {cuts[94]:.3f} ms"


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} events/s ({seconds:.1f} s)"


class Store:
    """A real event store and a views database holding the integrity log."""

    def __init__(self, settings: Settings, key_path: Path):
        self.ledger = Ledger(env=settings.event_store_env())
        self.db = Database(settings.views_url, schema=settings.schema)
        self.signer = HeadSigner(load_or_create_key(key_path), clock=Clock())
        self.log = IntegrityLog(self.db, self.signer)
        self.runner = Runner(SimpleNamespace(recorder=self.ledger.recorder, mapper=None), [self.log])

    def close(self) -> None:
        self.ledger.close()
        self.db.close()


def head_rows(store: Store, n: int, rows: list[tuple[str, str]], label: str) -> None:
    """Full head computation: every stored event read, encoded, hashed; the tree built; its root."""
    notifications = store.ledger.recorder.select_notifications(0, min(n, 100_000), inclusive_of_start=False)
    encode_s, _ = timed(lambda: [merkle.leaf_hash(merkle.leaf_bytes(x)) for x in notifications])
    rows.append(("encode + leaf-hash one stored event (in memory)", f"{encode_s / len(notifications) * 1e6:.1f} µs"))
    del notifications
    witness_s, _ = timed(store.runner.catch_up)
    rows.append((f"{label}: witness {n:,} events from the store (read, hash, write v_leaves; 1,000 per "
                 "transaction; a head per batch)", rate(n, witness_s)))
    leaves = store.log.snapshot()[0].leaf_hashes_bytes()
    build_s, tree = timed(lambda: MerkleLog.from_bytes(leaves))
    root_s, _ = timed(tree.root)
    rows.append((f"full head: build the tree over {n:,} leaf hashes, then its root", f"{build_s:.2f} s + {root_s * 1000:.3f} ms"))
    load_s, _ = timed(IntegrityLog(store.db).snapshot)
    rows.append((f"{label}: load the in-memory tree from v_leaves ({n:,} rows) at process start", f"{load_s:.2f} s"))


def incremental_rows(store: Store, n: int, rows: list[tuple[str, str]], label: str) -> None:
    """Incremental head computation: the next 1,000 events witnessed and signed, batch by batch."""
    samples = []
    for batch in range(20):
        fill(store.ledger, n + batch * 1000, 1000)
        samples.append(timed(store.runner.catch_up)[0] * 1000)
    rows.append((f"{label}: incremental head, +1,000 events on {n:,} (hash, insert, new root, sign; p50 / max of 20)",
                 f"{statistics.median(samples):.1f} / {max(samples):.1f} ms"))
    tree = MerkleLog.from_bytes(store.log.snapshot()[0].leaf_hashes_bytes())  # a copy: the live tree stays true
    extra = [merkle.leaf_hash(str(i).encode()) for i in range(10_000)]
    append_s, _ = timed(lambda: [tree.append(x) for x in extra])
    root_s, _ = timed(tree.root)
    rows.append(("incremental head in memory: append one leaf / new root", f"{append_s / len(extra) * 1e6:.1f} µs / "
                 f"{root_s * 1000:.3f} ms"))


def proof_rows(store: Store, requests: int, rows: list[tuple[str, str]]) -> None:
    rng = random.Random(SEED)
    tree, size = store.log.snapshot()

    def sizes() -> tuple[int, int]:
        return tuple(sorted((rng.randint(1, size), rng.randint(1, size))))  # type: ignore[return-value]

    def inclusion() -> None:
        tree_size = rng.randint(1, size)
        tree.inclusion_proof(rng.randrange(tree_size), tree_size)

    rows.append((f"inclusion proof in memory, tree of {size:,} (p50 / p95 of {requests})", p50_p95_ms(inclusion, requests)))
    rows.append((f"consistency proof in memory (p50 / p95 of {requests})",
                 p50_p95_ms(lambda: tree.consistency_proof(*sizes()), requests)))
    app = Starlette(routes=[Route("/api/v1/log/proof/inclusion", api_log.inclusion_proof),
                            Route("/api/v1/log/proof/consistency", api_log.consistency_proof)])
    app.state.platform = SimpleNamespace(integrity=store.log)
    with TestClient(app) as client:
        def http_inclusion() -> None:
            tree_size = rng.randint(1, size)
            response = client.get("/api/v1/log/proof/inclusion", params={"index": rng.randrange(tree_size), "tree_size": tree_size})
            assert response.status_code == 200

        def http_consistency() -> None:
            first, second = sizes()
            assert client.get("/api/v1/log/proof/consistency", params={"first": first, "second": second}).status_code == 200

        rows.append((f"GET /api/v1/log/proof/inclusion through the app (p50 / p95 of {requests})",
                     p50_p95_ms(http_inclusion, requests)))
        rows.append((f"GET /api/v1/log/proof/consistency through the app (p50 / p95 of {requests})",
                     p50_p95_ms(http_consistency, requests)))


def verify_rows(store: Store, rows: list[tuple[str, str]], label: str) -> None:
    verify_s, report = timed(lambda: verify_log(store.ledger.recorder, store.db, public_pem=store.signer.public_pem, grace=0))
    assert report.ok, report.findings[:3]
    rows.append((f"{label}: `gongshi verify` over {report.events:,} events and {report.heads_checked:,} heads",
                 rate(report.events, verify_s)))


def run_sqlite(n: int, requests: int, rows: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory(prefix="gongshi-integrity-bench-") as directory:
        home = Path(directory)
        store = Store(Settings(home=home), home / "keys" / "log-ed25519.pem")
        try:
            fill_s, _ = timed(lambda: fill(store.ledger, 0, n))
            print(f"sqlite: stored {n:,} events in {fill_s:.1f} s", file=sys.stderr)
            head_rows(store, n, rows, "SQLite")
            incremental_rows(store, n, rows, "SQLite")
            proof_rows(store, requests, rows)
            verify_rows(store, rows, "SQLite")
        finally:
            store.close()


def run_postgres(n: int, rows: list[tuple[str, str]]) -> None:
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=3).close()
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        print(f"PostgreSQL not reachable, skipped: {error}", file=sys.stderr)
        return
    schema = f"bench_integrity_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="gongshi-integrity-bench-") as directory:
        settings = Settings(home=Path(directory), database_url=PG_URL, schema=schema)
        Database(PG_URL, schema=schema).connection  # creates the schema
        store = Store(settings, Path(directory) / "keys" / "log-ed25519.pem")
        try:
            fill(store.ledger, 0, n)
            witness_s, _ = timed(store.runner.catch_up)
            rows.append((f"PostgreSQL: witness {n:,} events from the store", rate(n, witness_s)))
            verify_rows(store, rows, "PostgreSQL")
        finally:
            store.close()
            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--pg-events", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    run_sqlite(args.events, args.requests, rows)
    if args.pg_events:
        run_postgres(args.pg_events, rows)
    rows.append(("peak RSS of the bench process", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"))
    table = "\n".join(["| measure | result |", "| --- | --- |", *(f"| {name} | {value} |" for name, value in rows)])
    text = f"## Integrity (issue 6)\n\n`{' '.join(['python', *sys.argv])}`\n\nMachine: {describe()}\n\n{table}\n"
    print(text)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
