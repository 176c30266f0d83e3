"""Traceability benchmark (issue 17): event ingest against the ledger's record import, the public query's p95 at the
server, and the recall fan-out over many downstream holders.

    python bench/trace_bench.py [--batches 1000000] [--queries 500] [--holders 10000]

SQLite files in a scratch GONGSHI_HOME. Chains of 3-10 steps (register; ship, receive at a wholesaler; split into
sub-batches; ship, receive and sell at shops), built with the domain's own methods (every quantity checked) and
saved 1,000 aggregates per transaction, then projected: the events/s of that ingest are compared with
`Records.submit` of as many penalty records in the same run (the ledger's import path). The public query is
`GET /api/v1/trace/{code}` through the real ASGI app (each code asked once, so no answer comes from the cache),
the chain assembled from the read model: p50 and p95. The fan-out is one batch split into 100 sub-batches each
shipped to 100 distinct holders, `GET /api/v1/trace/{code}/downstream` timed. Writes bench/results/trace.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import calibration, describe, load  # noqa: E402

OUT = ROOT / "bench" / "results" / "trace.md"
TODAY = dt.date(2026, 11, 25)
_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _codes(n: int, seed: int, prefix: str = "91") -> list[str]:
    from domain.codes import make_credit_code

    rng, out, seen = random.Random(seed), [], set()
    while len(out) < n:
        body = "".join(rng.choice(_BODY) for _ in range(8))
        if body not in seen:
            seen.add(body)
            out.append(make_credit_code(prefix, rng.choice(("210502", "210503", "210504", "210505")), body))
    return out


def _chain(rng: random.Random, n: int, producer: str, wholesaler: str, shops: list[str]) -> list:
    """One chain's aggregates (the batch and its sub-batches), 3-10 steps in all."""
    from domain import trace_codes
    from domain.trace import TraceActor, TraceBatch

    actor = TraceActor("bench", credit_code=producer)
    code = trace_codes.issue(f"bench/{n}")
    batch = TraceBatch(code=code, key=f"{producer}/{n}", registrant=producer,
                       product={"name": "冷鲜猪肉（白条）", "category": "meat", "unit": "kg",
                                "origin": {"place": "辽宁省本溪市桓仁满族自治县"}, "produced_on": "2026-11-01",
                                "shelf_life_days": 7}, quantity="1000", on="2026-11-01", how="registered", parents=[],
                       submitter="bench", department=None)
    out = [batch]
    steps = rng.randint(3, 10)
    if steps < 4:  # register, ship, receive
        batch.move("shipped", producer, _d(400), "2026-11-02", actor, to=wholesaler)
        batch.receive(wholesaler, None, "2026-11-02", actor)
        return out
    batch.move("shipped", producer, _d(600), "2026-11-02", actor, to=wholesaler)
    batch.receive(wholesaler, None, "2026-11-02", actor)
    child_code = trace_codes.issue(f"bench/{n}/split/0")
    batch.move("split", wholesaler, _d(300), "2026-11-03", actor, batches=[child_code])
    child = TraceBatch(code=child_code, key=f"{code}/split/0", registrant=wholesaler, product=batch.product,
                       quantity="300", on="2026-11-03", how="split", parents=[{"code": code, "quantity": "300"}],
                       submitter="bench", department=None)
    out.append(child)
    shop = rng.choice(shops)
    for step in range(steps - 4):
        if step == 0:
            child.move("shipped", wholesaler, _d(300), "2026-11-04", actor, to=shop)
        elif step == 1:
            child.receive(shop, None, "2026-11-04", actor)
        else:
            child.move("sold", shop, _d(10), "2026-11-05", actor)
    return out


def _d(value: int):
    from decimal import Decimal

    return Decimal(value)


def ingest(platform, batches: int, seed: int) -> dict[str, float]:
    from tqdm import tqdm

    rng = random.Random(seed)
    firms = _codes(2000, seed)
    producers, wholesalers, shops = firms[:200], firms[200:400], firms[400:]
    start_position = platform.ledger.position()
    started = time.perf_counter()
    pending, codes = [], []
    with tqdm(total=batches, desc="chains", unit=" chains") as bar:
        for n in range(batches):
            chain = _chain(rng, n, rng.choice(producers), rng.choice(wholesalers), shops)
            pending += chain
            codes.append(chain[-1].code)
            if len(pending) >= 1000:
                platform.ledger.save(*pending)
                pending = []
                bar.update(1000 if bar.n + 1000 <= batches else batches - bar.n)
        if pending:
            platform.ledger.save(*pending)
        bar.update(batches - bar.n)
    saved_s = time.perf_counter() - started
    events = platform.ledger.position() - start_position
    started = time.perf_counter()
    platform.runner.catch_up()
    project_s = time.perf_counter() - started
    return {"events": events, "save_s": saved_s, "project_s": project_s, "codes": codes}


def baseline(platform, n_events: int) -> float:
    """As many penalty records through Records.submit, 1,000 per batch, projected: the ledger's import path."""
    scjg = "112105000086742610"
    parties = _codes(2000, 99)
    items = ({"kind": "penalty", "party_name": f"本溪市测试{i}号经营主体", "party_type": "法人及非法人组织",
              "credit_code": parties[i % len(parties)], "document_number": f"本市监罚〔基准〕{i}号",
              "violation": "销售不符合食品安全标准的食品", "basis": "《中华人民共和国食品安全法》第三十四条",
              "penalty_types": ["罚款"], "fine": 1, "content": "罚款1万元", "decision_date": "2026-10-01",
              "authority": "本溪市市场监督管理局", "authority_code": scjg, "source_unit_code": scjg}
             for i in range(n_events))
    started = time.perf_counter()
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == 1000:
            platform.records.submit(batch, department=scjg, submitter="bench", visible=False)
            batch = []
    if batch:
        platform.records.submit(batch, department=scjg, submitter="bench", visible=False)
    platform.runner.catch_up()
    return time.perf_counter() - started


def query_latency(client, codes: list[str], queries: int, seed: int) -> tuple[float, float]:
    rng = random.Random(seed)
    sample = rng.sample(codes, min(queries, len(codes)))
    timings = []
    client.get(f"/api/v1/trace/{sample[0]}")
    for code in sample:
        started = time.perf_counter()
        answer = client.get(f"/api/v1/trace/{code}")
        timings.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def fan_out(platform, client, holders: int) -> tuple[int, float, float]:
    """One batch split into 100 sub-batches, each shipped to holders/100 distinct holders; the downstream read."""
    from decimal import Decimal

    from domain import trace_codes
    from domain.trace import TraceActor, TraceBatch

    per = max(1, holders // 100)
    receivers = _codes(per * 100, 4242, prefix="92")
    producer = _codes(1, 4343)[0]
    actor = TraceActor("bench", credit_code=producer)
    code = trace_codes.issue("bench/fan-out")
    root = TraceBatch(code=code, key="bench/fan-out", registrant=producer,
                      product={"name": "冷鲜猪肉（白条）", "category": "meat", "unit": "kg",
                               "origin": {"place": "辽宁省本溪市"}, "produced_on": "2026-11-01", "shelf_life_days": 7},
                      quantity=str(per * 100), on="2026-11-01", how="registered", parents=[], submitter="bench",
                      department=None)
    children = [trace_codes.issue(f"bench/fan-out/{i}") for i in range(100)]
    root.move("split", producer, Decimal(per * 100), "2026-11-02", actor, batches=children)
    saved = [root]
    for i, child_code in enumerate(children):
        child = TraceBatch(code=child_code, key=f"{code}/split/{i}", registrant=producer, product=root.product,
                           quantity=str(per), on="2026-11-02", how="split", parents=[{"code": code, "quantity": str(per)}],
                           submitter="bench", department=None)
        for receiver in receivers[i * per:(i + 1) * per]:
            child.move("shipped", producer, Decimal(1), "2026-11-03", actor, to=receiver)
            child.receive(receiver, None, "2026-11-03", actor)
        saved.append(child)
    platform.ledger.save(*saved)
    platform.runner.catch_up()
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        answer = client.get(f"/api/v1/trace/{code}/downstream", params={"as_of": str(platform.ledger.position())})
        timings.append(time.perf_counter() - started)
        assert answer.status_code == 200
    found = len(answer.json()["holders"])
    return found, min(timings), statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=1_000_000, help="Chains to ingest (each 1-2 batches).")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--holders", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    from starlette.testclient import TestClient

    from gongshi.config import Settings
    from gongshi.platform import Platform
    from web.app import create_app

    calibrated = calibration()
    platform = Platform(Settings(home=Path(tempfile.mkdtemp(prefix="gongshi-trace-bench-"))), today=TODAY)
    try:
        ingested = ingest(platform, args.batches, args.seed)
        batches = platform.views_db.execute("SELECT COUNT(*) FROM v_trace_batches")[0][0]
        base_s = baseline(platform, min(ingested["events"], 200_000))
        base_events = min(ingested["events"], 200_000)
        with TestClient(create_app(platform, follow=False)) as client:  # closes the platform on leaving
            p50, p95 = query_latency(client, ingested["codes"], args.queries, args.seed)
            holders, fan_min, fan_median = fan_out(platform, client, args.holders)
    except BaseException:
        platform.close()
        raise
    ingest_rate = ingested["events"] / (ingested["save_s"] + ingested["project_s"])
    base_rate = base_events / base_s
    lines = [
        "## Traceability (issue 17): ingest, public query, recall fan-out", "",
        f"Machine: {describe()}; {load()}; calibration loop {calibrated:.0f} ms (bench/machine.py). SQLite.", "",
        f"{args.batches:,} chains of 3-10 steps ({batches:,} batches, {ingested['events']:,} events), saved 1,000 "
        f"aggregates per transaction in {ingested['save_s']:.0f} s and projected in {ingested['project_s']:.0f} s: "
        f"**{ingest_rate:,.0f} events/s** stored and projected, against {base_rate:,.0f} records/s for "
        f"{base_events:,} penalty records through `Records.submit` in the same run (ratio "
        f"{ingest_rate / base_rate:.2f}).", "",
        "| measure | value | target |", "| --- | --- | --- |",
        f"| `GET /api/v1/trace/{{code}}` p50 (ms, {args.queries} distinct codes, in-process ASGI) | {p50:.1f} | |",
        f"| `GET /api/v1/trace/{{code}}` p95 (ms) | {p95:.1f} | < 20 |",
        f"| recall fan-out over {holders:,} holders (`/downstream`), best / median of 5 (s) | "
        f"{fan_min:.2f} / {fan_median:.2f} | < 1 |", ""]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
