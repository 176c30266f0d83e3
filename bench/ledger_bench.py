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
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import calibration, describe, load  # noqa: E402
from application.ledger import Ledger  # noqa: E402
from domain.records import Entity, Record, digest  # noqa: E402
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
    seen: set = set()
    for start in range(0, len(items), 1000):
        aggregates = []
        for item in items[start:start + 1000]:
            fields = {k: v for k, v in item.items() if k != "kind"}
            department = fields.get("source_unit_code", "")
            if "authority_code" in fields and "document_number" in fields:
                aggregate = Record(kind=item["kind"], fields=fields, department=department, submitter="bench",
                                   window=None, digest=digest(fields))
            else:
                aggregate = Entity(fields=fields, department=department, submitter="bench", digest=digest(fields))
            if aggregate.id not in seen:  # a registration change has its entity's natural key: one aggregate each
                seen.add(aggregate.id)
                aggregates.append(aggregate)
        ledger.save(*aggregates)
    rate = len(items) / (time.perf_counter() - started)
    platform.close()
    return rate


def gongshi_import(settings: Settings, path: Path, parallel: bool | None = None) -> tuple[float, Platform]:
    """`gongshi import`'s own code path; parallel=None is its default (checking in a second process)."""
    platform = Platform(settings)
    started = time.perf_counter()
    summary = import_file(platform, path, parallel=parallel)
    elapsed = time.perf_counter() - started
    return summary.total / elapsed, platform


def cpu_seconds() -> tuple[float, float]:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def replay_rate(platform: Platform) -> tuple[float, float, float]:
    """Rebuild the ledger read models (records, entities, log) alone from position 0, as `gongshi replay`
    does (a bulk phase in which this process and a second one take batches in turn, then the indexes).

    Returns events/s and the CPU milliseconds per 1,000 events of this process and of the second one.
    """
    runner = Runner(platform.ledger, [platform.ledger_views])
    runner.reset()
    events = platform.ledger.position()
    cpu0 = cpu_seconds()
    started = time.perf_counter()
    runner.catch_up()
    elapsed = time.perf_counter() - started
    cpu1 = cpu_seconds()
    return events / elapsed, (cpu1[0] - cpu0[0]) / events * 1e6, (cpu1[1] - cpu0[1]) / events * 1e6


def whole_replay_rate(platform: Platform) -> float:
    """`gongshi replay` itself: every read model (ledger views, search index, integrity witness, grades,
    cases) dropped and rebuilt; events/s from the drop to the last commit."""
    from gongshi.replay import replay

    events = platform.ledger.position()
    started = time.perf_counter()
    replay(platform)
    return events / (time.perf_counter() - started)


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def child_peak_mb(code: str, env: dict) -> float:
    """Run code in a fresh process; the peak of its resident memory plus its children's (checking worker,
    row builder), sampled every 50 ms from /proc. (`ru_maxrss` would not do: a child started from
    this process inherits this process's own high-water mark through fork and exec.)"""
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=Path(__file__).parent.parent,
                            stdout=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.05)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, "memory child")
    return peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--memory-records", type=int, default=1_000_000)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--replays", type=int, default=3, help="replay runs per store; the median is reported")
    args = parser.parse_args()
    rows = []
    calibrations = [calibration()]
    with tempfile.TemporaryDirectory(prefix="gongshi-bench-") as tmp:
        tmp = Path(tmp)
        path = tmp / "items.jsonl"
        n = write_items(path, args.records)
        for store in args.stores.split(","):
            bare_settings = settings_for(store, tmp / f"bare-{store}")
            bare = bare_library(bare_settings, path)
            drop(bare_settings)
            single_settings = settings_for(store, tmp / f"single-{store}")
            single, platform = gongshi_import(single_settings, path, parallel=False)
            platform.close()
            drop(single_settings)
            settings = settings_for(store, tmp / f"import-{store}")
            rate, platform = gongshi_import(settings, path)
            replays = sorted(replay_rate(platform) for _ in range(args.replays))
            whole = whole_replay_rate(platform)
            platform.close()
            drop(settings)
            replay, main_cpu, builder_cpu = replays[len(replays) // 2]
            rows.append((store, n, bare, rate, single, replay, [r[0] for r in replays], main_cpu, builder_cpu, whole,
                         load()))
            print(f"{store}: bare {bare:,.0f}/s import {rate:,.0f}/s ratio {rate / bare:.2f} (one process "
                  f"{single / bare:.2f}) replay {replay:,.0f} events/s, every read model {whole:,.0f}", flush=True)
        calibrations.append(calibration())
        memory = []
        if args.memory_records:
            big = tmp / "big.jsonl"
            m = write_items(big, args.memory_records)
            home = tmp / "memory"
            env = {**os.environ, "GONGSHI_HOME": str(home), "PYTHONPATH": str(Path(__file__).parent.parent)}
            env.pop("GONGSHI_DATABASE_URL", None)
            t0 = time.perf_counter()
            import_mb = child_peak_mb(
                "from gongshi.platform import Platform\nfrom gongshi.importer import import_file\nfrom pathlib import Path\n"
                f"if __name__ == '__main__':\n    p = Platform(); import_file(p, Path({str(big)!r})); p.close()", env)
            import_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            replay_mb = child_peak_mb(
                "from gongshi.platform import Platform\nfrom projections.runner import Runner\n"
                "if __name__ == '__main__':\n"
                "    p = Platform(); r = Runner(p.ledger, [p.ledger_views]); r.reset(); r.catch_up(); p.close()", env)
            replay_s = time.perf_counter() - t0
            memory = [("import", m, import_s, import_mb), ("replay of the ledger views", m, replay_s, replay_mb)]
            shutil.rmtree(home, ignore_errors=True)
            calibrations.append(calibration())
    lines = ["## Ledger (issue 2)", "", f"Machine: {describe()}. Calibration loop (bench/machine.py): "
             + ", ".join(f"{c:.0f} ms" for c in calibrations) + " (lower is a faster machine at that moment).", "",
             "| store | records | bare library saves/s | gongshi import records/s | ratio (target ≥ 0.6) "
             "| import in one process, ratio | replay events/s, median (target ≥ 20,000 on SQLite) | replay runs "
             "| CPU ms per 1,000 events: this process / the second "
             "| `gongshi replay` of every read model, events/s | load |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {s} | {n:,} | {b:,.0f} | {r:,.0f} | {r / b:.2f} | {one:,.0f} = {one / b:.2f} | {p:,.0f} | "
              f"{', '.join(f'{x:,.0f}' for x in runs)} | {mc:.0f} / {bc:.0f} | {w:,.0f} | {ld} |"
              for s, n, b, r, one, p, runs, mc, bc, w, ld in rows]
    if memory:
        lines += ["", "| operation (SQLite) | records | seconds | rate | peak RSS MB of the process and its children, "
                  "sampled (target < 500, flat) |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {op} | {m:,} | {s:,.0f} | {m / s:,.0f}/s | {mb:,.0f} |" for op, m, s, mb in memory]
    lines += ["", "Import includes reading the JSON Lines file, validation (JSON Schema + domain rules), the "
              "natural-key check and the save; the bare library saves pre-built aggregates with the same "
              "application. By default `gongshi import` checks batch n+1 in a second process while batch n "
              "is stored; the one-process column is the same import with no second process (what a machine "
              "with no free core gets). Replay rebuilds v_records, v_entities and v_log from position 0 the way "
              "`gongshi replay` does: a bulk phase in which this process and a second one take batches of 5,000 "
              "events in turn, each preparing its next batch while the other writes (projections/bulk.py), then "
              "the secondary indexes; the second process's start and the index build are included. "
              "`gongshi replay` of every read model also drops the old tables and rebuilds the search index, the "
              "integrity witness, the grades and the cases after the ledger views, in the ordinary loop (one "
              "batch of 10,000 events at a time; the search index's own thread uses the second core). The "
              "1,000,000-record rows run in a fresh process each.", ""]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
