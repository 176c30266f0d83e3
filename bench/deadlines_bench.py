"""Deadline job benchmark (issue 14): `Deadlines.run` over 100,000 entities with ~8% of the reports not filed.

    python bench/deadlines_bench.py [--entities 100000] [--missing 0.08] [--stores sqlite,postgresql]

Each store is prepared fresh: the entities registered in 2025 (so the 2025 report is the one
they owe; 70% companies, 25% individual businesses, 5% cooperatives), and the 2025 reports of
all but `--missing` of them, filed on time. The job then runs on 2026-07-01, the first working
day after the deadline: it lists the companies and cooperatives that did not file and marks the
individual businesses, every decision through Records.submit with the read models caught up
after each batch of 1,000 (read-your-writes), as `gongshi deadlines run` does. A second run the
same day (everything already decided) is the daily cost afterwards. The baseline, measured in
the same run and store, submits as many plain anomaly listings through Records.submit in batches
of 1,000: the ratio is what planning and deciding add to storing.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import calibration, describe, load  # noqa: E402
from domain import annual_reports  # noqa: E402
from domain.annual_reports import ONLINE, Filing  # noqa: E402
from domain.codes import make_credit_code  # noqa: E402
from gongshi.config import Settings  # noqa: E402
from gongshi.loading import load_items  # noqa: E402
from gongshi.platform import Platform  # noqa: E402

PG_URL = os.environ.get("GONGSHI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
OUT = Path(__file__).parent / "results" / "deadlines.md"
RUN_DAY = dt.date(2026, 7, 1)
TODAY = dt.date(2026, 11, 25)
SCJG = "112105000086742610"
_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def codes(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < n:
        prefix = rng.choices(("91", "92", "93"), (70, 25, 5))[0]
        body = "".join(rng.choice(_BODY) for _ in range(8))
        if body not in seen:
            seen.add(body)
            out.append(make_credit_code(prefix, rng.choice(("210502", "210503", "210504", "210505")), body))
    return out


def entity(code: str, i: int) -> dict:
    return {"kind": "entity", "credit_code": code, "name": f"本溪市测试{i}号经营主体", "entity_type": "有限责任公司",
            "legal_representative": "王建国", "established": f"2025-{1 + i % 6:02d}-{1 + i % 28:02d}",
            "address": "辽宁省本溪市明山区新明路12号", "district_code": code[2:8], "registration_authority": "本溪市市场监督管理局",
            "status": "存续", "source_unit_code": SCJG}


def report(code: str, i: int) -> dict:
    base = {"year": 2025, "credit_code": code, "name": f"本溪市测试{i}号经营主体", "phone": "13812345678",
            "has_website": False}
    form = annual_reports.form_for(code)
    if form == "individual":
        return {**base, "operator": "王建国", "employees": 2}
    if form == "cooperative":
        return {**base, "address": "本溪市", "members": 12}
    return {**base, "address": "辽宁省本溪市明山区新明路12号", "postal_code": "117000", "business_status": "开业",
            "employees": 3}


def prepare(platform: Platform, entities: int, missing: float, seed: int) -> dict[str, float]:
    """Register the entities and file the reports (saved 1,000 per transaction), then project everything."""
    all_codes = codes(entities, seed)
    started = time.perf_counter()
    load_items(platform, (entity(c, i) for i, c in enumerate(all_codes)), desc="entities")
    rng = random.Random(seed + 1)
    filing_day = dt.date(2026, 5, 10)
    batch, filed = [], 0
    for i, code in enumerate(all_codes):
        if rng.random() < missing:
            continue
        form, fields = annual_reports.check(report(code, i))
        filing = Filing(f"firm:{code}", ONLINE, credit_code=code, dated=True)
        batch.append(annual_reports.file(None, form, fields, filing, filing_day, TODAY))
        filed += 1
        if len(batch) == 1000:
            platform.ledger.save(*batch)
            batch = []
    if batch:
        platform.ledger.save(*batch)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    platform.runner.catch_up()
    return {"entities": entities, "filed": filed, "load_s": loaded, "project_s": time.perf_counter() - started,
            "codes": all_codes}


def baseline(platform: Platform, codes_: list[str], n: int) -> float:
    """As many plain anomaly listings through Records.submit, 1,000 per batch, read models caught up after each."""
    items = [{"kind": "anomaly_listing", "party_name": f"本溪市测试{i}号经营主体", "party_type": "法人及非法人组织",
              "credit_code": codes_[i % len(codes_)], "document_number": f"本市监异列〔基准〕{i}号",
              "cause": "未按规定报送年度报告", "decision_date": RUN_DAY.isoformat(), "authority": "本溪市市场监督管理局",
              "authority_code": SCJG, "source_unit_code": SCJG} for i in range(n)]
    started = time.perf_counter()
    for i in range(0, n, 1000):
        result = platform.records.submit(items[i:i + 1000], department=SCJG, submitter="bench")
        assert result.count("accepted") == len(items[i:i + 1000])
    return time.perf_counter() - started


def measure(store: str, entities: int, missing: float, seed: int) -> dict[str, float | str]:
    home = Path(tempfile.mkdtemp(prefix=f"gongshi-deadlines-bench-{store}-"))
    settings = Settings(home=home) if store == "sqlite" else Settings(
        home=home, database_url=PG_URL, schema=f"bench_{uuid.uuid4().hex[:10]}")
    platform = Platform(settings, today=TODAY)
    try:
        prepared = prepare(platform, entities, missing, seed)
        position = platform.ledger.position()
        started = time.perf_counter()
        summary = platform.deadlines.run(RUN_DAY)
        job_s = time.perf_counter() - started
        events = platform.ledger.position() - position
        started = time.perf_counter()
        again = platform.deadlines.run(RUN_DAY)
        again_s = time.perf_counter() - started
        assert again.decided == 0 and again.rejected == 0 and summary.rejected == 0
        base_s = baseline(platform, prepared["codes"], summary.decided)
        return {"store": store, "entities": entities, "filed": prepared["filed"], "load_s": prepared["load_s"],
                "project_s": prepared["project_s"], "decided": summary.decided,
                "listed": summary.rules["AR-MISSED-ANOMALY"].decided, "marked": summary.rules["IB-MISSED-MARK"].decided,
                "events": events, "job_s": job_s, "again_s": again_s, "baseline_s": base_s}
    finally:
        platform.close()
        if settings.database_url:
            import psycopg

            with psycopg.connect(PG_URL, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{settings.schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--missing", type=float, default=0.08, help="Share of the reports not filed.")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--stores", default="sqlite,postgresql")
    args = parser.parse_args()
    calibrated = calibration()
    runs = []
    for store in args.stores.split(","):
        run = measure(store, args.entities, args.missing, args.seed)
        runs.append(run)
        print(f"{store}: {run['decided']:,} decisions in {run['job_s']:.1f} s ({run['events'] / run['job_s']:,.0f} "
              f"events/s); again {run['again_s']:.1f} s; baseline {run['baseline_s']:.1f} s", flush=True)
    lines = ["## Deadline job (issue 14)", "", f"Machine: {describe()}; {load()}; calibration loop "
             f"{calibrated:.0f} ms (bench/machine.py).", "",
             f"{args.entities:,} entities registered in 2025 (70% companies, 25% individual businesses, 5% "
             f"cooperatives), {args.missing:.0%} of their 2025 reports not filed; `Deadlines.run` on {RUN_DAY} (the "
             "first working day after the deadline) lists the companies and cooperatives and marks the individual "
             "businesses, each decision through `Records.submit`, 1,000 per transaction, the read models (ledger "
             "views, search index, integrity log, grades, cases, reports) caught up after each batch. The baseline "
             "submits as many plain anomaly listings the same way in the same store and run.", "",
             "| store | decisions (listed + marked) | events | job wall s (target < 60) | events/s | second run s "
             "(all already decided) | baseline s | job / baseline |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r['store']} | {r['decided']:,} ({r['listed']:,} + {r['marked']:,}) | {r['events']:,} | "
              f"{r['job_s']:.1f} | {r['events'] / r['job_s']:,.0f} | {r['again_s']:.1f} | {r['baseline_s']:.1f} | "
              f"{r['job_s'] / r['baseline_s']:.2f} |" for r in runs]
    lines += ["", "Preparing each store (not timed above): " + "; ".join(
        f"{r['store']} {r['entities']:,} registrations and {r['filed']:,} reports stored in {r['load_s']:.0f} s, "
        f"projected in {r['project_s']:.0f} s" for r in runs) + ".", ""]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
