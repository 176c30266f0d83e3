"""Ledger benchmark (issue 2): import vs the bare eventsourcing library, replay, peak memory.

    python bench/ledger_bench.py [--records 100000] [--memory-records 1000000] [--stores sqlite,postgresql]

Import throughput is compared with the same records saved by the bare library (no
parsing, no validation, batches of 1,000) in the same run, so the ratio holds on a
noisy shared machine. Peak memory is measured in child processes (ru_maxrss).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import describe  # noqa: E402
from domain.ledger import Ledger  # noqa: E402
from domain.records import Record, digest, record_id  # noqa: E402
from gongshi.config import Settings  # noqa: E402
from gongshi.importer import import_file  # noqa: E402
from gongshi.platform import Platform  # noqa: E402
from projections.runner import Runner  # noqa: E402

PG_URL = os.environ.get("GONGSHI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
OUT = Path(__file__).parent / "results" / "ledger.md"


def write_items(path: Path, records: int) -> int:
    """Demo items (every kind) until `records` are written; returns how many."""
    from gongshi.demo import generate

    n = 0
    with path.open("w", encoding="utf-8") as f:
        for item in generate(entities=max(10, records // 9), seed=7):
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
            n += 1
            if n == records:
                break
    return n


def settings_for(store: str, home: Path) -> Settings:
    if store == "sqlite":
        return Settings(home=home)
    return Settings(home=home, database_url=PG_URL, schema=f"bench_{uuid.uuid4().hex[:10]}")


def drop(settings: Settings) -> None:
    if settings.database_url:
        import psycopg

        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{settings.schema}" CASCADE')


def bare_library(settings: Settings, path: Path) -> float:
    """Save the same records as aggregates with the bare library: no parsing, no validation."""
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    items = [i for i in items if i.get("action", "record") == "record"]
    platform = Platform(settings)
    ledger: Ledger = platform.ledger
    started = time.perf_counter()
    for start in range(0, len(items), 1000):
        aggregates = []
        for item in items[start:start + 1000]:
            fields = {k: v for k, v in item.items() if k != "kind"}
            key = (item["kind"], fields.get("authority_code") or fields.get("credit_code"),
                   fields.get("document_number") or fields.get("listing_document_number") or "")
            aggregates.append(Record._create(
                Record.Recorded, id=record_id(*key) if key[2] else uuid.uuid4(), kind=item["kind"], fields=fields,
                department=fields.get("source_unit_code", ""), submitter="bench", window=None, digest=digest(fields)))
        ledger.save(*aggregates)
    rate = len(items) / (time.perf_counter() - started)
    platform.close()
    return rate


def gongshi_import(settings: Settings, path: Path) -> tuple[float, Platform]:
    platform = Platform(settings)
    started = time.perf_counter()
    summary = import_file(platform, path)
    elapsed = time.perf_counter() - started
    return summary.total / elapsed, platform


def replay_rate(platform: Platform) -> float:
    """Rebuild the ledger read models (records, entities, log) alone from position 0."""
    runner = Runner(platform.ledger, [platform.ledger_views])
    runner.reset()
    events = platform.ledger.position()
    started = time.perf_counter()
    runner.catch_up()
    return events / (time.perf_counter() - started)


def child_peak_mb(code: str, env: dict) -> float:
    """Run code in a fresh process; its own peak RSS plus its checking worker's, in MB."""
    wrapped = ("import resource\nif __name__ == '__main__':\n" + "".join(f"    {line}\n" for line in code.splitlines())
               + "    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
               "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
               "    print('PEAK', own + kids)\n")
    run = subprocess.run([sys.executable, "-c", wrapped], env=env, check=True, cwd=Path(__file__).parent.parent,
                         capture_output=True, text=True)
    return int(run.stdout.split("PEAK")[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--memory-records", type=int, default=1_000_000)
    parser.add_argument("--stores", default="sqlite,postgresql")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="gongshi-bench-") as tmp:
        tmp = Path(tmp)
        path = tmp / "items.jsonl"
        n = write_items(path, args.records)
        for store in args.stores.split(","):
            bare_settings = settings_for(store, tmp / f"bare-{store}")
            bare = bare_library(bare_settings, path)
            drop(bare_settings)
            settings = settings_for(store, tmp / f"import-{store}")
            rate, platform = gongshi_import(settings, path)
            replay = replay_rate(platform)
            platform.close()
            drop(settings)
            rows.append((store, n, bare, rate, rate / bare, replay))
            print(f"{store}: bare {bare:,.0f}/s import {rate:,.0f}/s ratio {rate / bare:.2f} replay {replay:,.0f} events/s",
                  flush=True)
        memory = []
        if args.memory_records:
            big = tmp / "big.jsonl"
            m = write_items(big, args.memory_records)
            home = tmp / "memory"
            env = {**os.environ, "GONGSHI_HOME": str(home), "PYTHONPATH": str(Path(__file__).parent.parent)}
            env.pop("GONGSHI_DATABASE_URL", None)
            t0 = time.perf_counter()
            import_mb = child_peak_mb(
                f"from gongshi.platform import Platform; from gongshi.importer import import_file; from pathlib import Path\n"
                f"p = Platform(); import_file(p, Path({str(big)!r})); p.close()", env)
            import_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            replay_mb = child_peak_mb(
                "from gongshi.platform import Platform\nfrom projections.runner import Runner\n"
                "p = Platform(); r = Runner(p.ledger, [p.ledger_views]); r.reset(); r.catch_up(); p.close()", env)
            replay_s = time.perf_counter() - t0
            memory = [("import", m, import_s, import_mb), ("replay", m, replay_s, replay_mb)]
            shutil.rmtree(home, ignore_errors=True)
    lines = ["## Ledger (issue 2)", "", f"Machine: {describe()}", "",
             "| store | records | bare library saves/s | gongshi import records/s | ratio (target ≥ 0.6) | replay events/s (target ≥ 20,000 on SQLite) |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {s} | {n:,} | {b:,.0f} | {r:,.0f} | {q:.2f} | {p:,.0f} |" for s, n, b, r, q, p in rows]
    if memory:
        lines += ["", "| operation (SQLite) | records | seconds | peak RSS MB, process + its worker (target < 500, flat) |", "| --- | --- | --- | --- |"]
        lines += [f"| {op} | {m:,} | {s:,.0f} | {mb:,.0f} |" for op, m, s, mb in memory]
    lines += ["", "Import includes reading the JSON Lines file, validation (JSON Schema + domain rules), the "
              "natural-key check and the save; the bare library saves pre-built aggregates. Replay rebuilds "
              "v_records, v_entities and v_log from position 0.", ""]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
