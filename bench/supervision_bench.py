"""Supervision benchmark (issue 7): credit-check latency under load, full regrade, inspection draw.

    python bench/supervision_bench.py [--entities 100000] [--concurrency 1,4,16] [--requests 4000]

Demo data (gongshi.demo, ~10 items per entity) is generated and loaded once into a store
kept under --store (default: $TMPDIR/gongshi-supervision-bench-<entities>-<seed>) and
reused by later runs. The check endpoint is measured over real HTTP against `gongshi
serve` (uvicorn, one process, the log follower running), with client threads on keep-alive
connections; every check is a recorded event, so the log grows during the run.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2 as httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import describe  # noqa: E402
from gongshi.config import Settings  # noqa: E402
from gongshi.platform import Platform  # noqa: E402

OUT = Path(__file__).parent / "results" / "supervision.md"
BUSINESSES = ("procurement", "subsidy", "tendering", "approval", None)
READY = ".loaded"


def prepare(store: Path, entities: int, seed: int) -> dict[str, float]:
    """Load demo data into `store` once (a marker file says it is complete); return the timings."""
    if (store / READY).exists():
        return {}
    from gongshi.demo import generate
    from gongshi.loading import load_items

    platform = Platform(Settings(home=store))
    try:
        started = time.perf_counter()
        summary = load_items(platform, generate(entities=entities, seed=seed), desc="载入 loading demo")
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        platform.runner.catch_up()
        projected = time.perf_counter() - started
    finally:
        platform.close()
    (store / READY).write_text(f"{summary.accepted} items\n", encoding="utf-8")
    return {"items": summary.accepted, "load_s": loaded, "project_s": projected}


def regrade(store: Path) -> tuple[int, float]:
    platform = Platform(Settings(home=store))
    try:
        started = time.perf_counter()
        count = platform.grades.regrade_all(platform.clock())
        return count, time.perf_counter() - started
    finally:
        platform.close()


def draw(store: Path) -> tuple[int, int, float]:
    from application.supervision import Caller

    from projections.public import Moment

    platform = Platform(Settings(home=store))
    try:
        started = time.perf_counter()
        drawn = platform.supervision.draw(Caller("bench", "operator", None), "bench", Moment.now(platform.clock()))
        return sum(drawn["population"]["counts"].values()), len(drawn["entities"]), time.perf_counter() - started
    finally:
        platform.close()


def sample(store: Path, n: int, seed: int) -> tuple[list[str], str, dict[str, int]]:
    """Credit codes to ask about (every grade represented as in the population), and a token."""
    platform = Platform(Settings(home=store))
    try:
        keys = [r[0] for r in platform.views_db.execute("SELECT credit_code FROM s_grades WHERE credit_code IS NOT NULL")]
        grades = dict(platform.views_db.execute("SELECT grade, COUNT(*) FROM s_grades GROUP BY grade"))
        token = platform.tokens.create(department=None, role="reviewer", label="bench", days=1)
    finally:
        platform.close()
    return random.Random(seed).sample(keys, min(n, len(keys))), token, grades


class Server:
    """`gongshi serve` in a child process on a free port."""

    def __init__(self, store: Path, port: int):
        env = {**os.environ, "GONGSHI_HOME": str(store)}
        env.pop("GONGSHI_DATABASE_URL", None)
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gongshi.cli", "serve", "--port", str(port)], env=env,
            cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.5)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def load(url: str, token: str, codes: list[str], concurrency: int, requests: int, seed: int) -> dict[str, float]:
    """`requests` checks from `concurrency` threads; latencies measured by the clients."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    per_thread = requests // concurrency

    def worker(i: int) -> None:
        rng = random.Random(seed + i)
        mine: list[float] = []
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            for _ in range(per_thread):
                params = {"credit_code": rng.choice(codes)}
                business = rng.choice(BUSINESSES)
                if business:
                    params["measure"] = business
                started = time.perf_counter()
                response = client.get("/api/v1/check", params=params)
                mine.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    with lock:
                        errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {"concurrency": concurrency, "requests": len(latencies), "errors": errors[0], "rps": len(latencies) / elapsed,
            "p50": q[49], "p95": q[94], "p99": q[98], "max": latencies[-1]}


def batch_latency(url: str, token: str, codes: list[str], size: int, rounds: int = 20) -> float:
    """Median latency of one POST /api/v1/check with `size` checks."""
    rng = random.Random(size)
    times = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        for _ in range(rounds):
            body = {"checks": [{"credit_code": c, "measure": "subsidy"} for c in rng.sample(codes, size)]}
            started = time.perf_counter()
            assert client.post("/api/v1/check", json=body).status_code == 200
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--store", type=Path, help="Where the demo store lives (kept for later runs).")
    parser.add_argument("--concurrency", default="1,4,16")
    parser.add_argument("--requests", type=int, default=4000, help="Checks per concurrency level.")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    store = args.store or Path(tempfile.gettempdir()) / f"gongshi-supervision-bench-{args.entities}-{args.seed}"
    store.mkdir(parents=True, exist_ok=True)
    prepared = prepare(store, args.entities, args.seed)
    graded, regrade_s = regrade(store)
    print(f"regrade: {graded:,} entities in {regrade_s:.1f} s", flush=True)
    population, drawn, draw_s = draw(store)
    print(f"draw: {drawn:,} of {population:,} in {draw_s:.1f} s", flush=True)
    codes, token, grades = sample(store, 5000, args.seed)
    server = Server(store, args.port)
    try:
        runs = []
        for c in (int(x) for x in args.concurrency.split(",")):
            run = load(server.url, token, codes, c, args.requests, args.seed)
            runs.append(run)
            print(f"checks at concurrency {c}: p50 {run['p50']:.1f} ms p95 {run['p95']:.1f} ms "
                  f"{run['rps']:.0f}/s errors {run['errors']}", flush=True)
        batch100 = batch_latency(server.url, token, codes, 100)
    finally:
        server.stop()
    lines = ["## Supervision (issue 7)", "", f"Machine: {describe()}", "",
             f"Store: SQLite, {graded:,} graded entities from `gongshi.demo` ({args.entities:,} requested, seed "
             f"{args.seed}); grades {', '.join(f'{g} {n:,}' for g, n in sorted(grades.items()))}.", ""]
    if prepared:
        lines += [f"Preparing the store (once): {prepared['items']:,} items loaded in {prepared['load_s']:,.0f} s, "
                  f"projected (all read models) in {prepared['project_s']:,.0f} s.", ""]
    lines += ["| GET /api/v1/check over HTTP | requests | errors | checks/s | p50 ms | p95 ms (target < 20) | p99 ms | max ms |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r['concurrency']} concurrent clients | {r['requests']:,} | {r['errors']} | {r['rps']:,.0f} | "
              f"{r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['max']:.1f} |" for r in runs]
    lines += ["", "| operation | entities | seconds | entities/s |", "| --- | --- | --- | --- |",
              f"| full regrade (`regrade_all`) | {graded:,} | {regrade_s:,.1f} | {graded / regrade_s:,.0f} |",
              f"| inspection draw (grades computed live, {drawn:,} drawn) | {population:,} | {draw_s:,.1f} | "
              f"{population / draw_s:,.0f} |",
              f"| POST /api/v1/check, 100 checks in one batch (median) | 100 | {batch100 / 1000:.3f} | "
              f"{100_000 / batch100:,.0f} |", "",
              "Each check reads the entity's counting records at one log position, grades it live, evaluates the "
              "measures and stores a CreditCheck event before answering; the follower projects those events meanwhile.",
              ""]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
