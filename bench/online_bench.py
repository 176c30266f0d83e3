"""Online presences benchmark (issue 18): the mark's verification page, JSON twin and SVG badge under load against a
bare Starlette endpoint in the same run (target at least 0.5x, as for the profile), and re-evaluating 100,000
trusted-site certifications after a rule change.

    python bench/online_bench.py [--entities 2000] [--seconds 5] [--connections 16] [--certifications 100000]

The servers and the load client are bench/portal_bench.py's (one uvicorn process per server, a separate asyncio
client process with keep-alive connections). The store is `gongshi demo`'s (SQLite, embedded). A certification is a
pure function of the operator's facts and the rules (domain/certification.py): re-evaluating after a rule change is
reading every operator's facts again (projections/online.certification_facts, 500 operators per query round) and
evaluating; both are timed, the reading on the demo's operators, the evaluation on 100,000 operators' facts.
Prints a Markdown section and writes it to bench/results/online.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import portal_bench  # noqa: E402
from bench.machine import describe  # noqa: E402

OUT = ROOT / "bench" / "results" / "online.md"


def prepare(home: Path, entities: int) -> tuple[dict[str, str], list[str], list[str]]:
    """The demo in a fresh store: (the servers' environment, mark ids, operators' credit codes)."""
    from gongshi.config import Settings
    from gongshi.loading import load_demo
    from gongshi.platform import Platform

    platform = Platform(Settings(home=home))
    try:
        load_demo(platform, entities, 20261125)
        platform.runner.catch_up()
        marks = [m for (m,) in platform.views_db.execute("SELECT mark_id FROM v_marks ORDER BY mark_id")]
        codes = [c for (c,) in platform.views_db.execute(
            "SELECT DISTINCT credit_code FROM v_entities WHERE valid_to IS NULL AND credit_code IS NOT NULL")]
    finally:
        platform.close()
    return {**os.environ, "GONGSHI_HOME": str(home), "PYTHONPATH": str(ROOT)}, marks, codes


def certifications(home: Path, codes: list[str], count: int) -> dict[str, float]:
    from domain import certification
    from gongshi.config import Settings
    from gongshi.platform import Platform
    from projections import online as views
    from projections.public import Moment

    platform = Platform(Settings(home=home))
    try:
        moment = Moment.now(platform.clock())
        started = time.perf_counter()
        facts = views.certification_facts(platform.views_db, codes, moment)
        read = time.perf_counter() - started
    finally:
        platform.close()
    today = dt.date.fromisoformat(moment.today)
    pool = list(facts.values())
    many = [pool[i % len(pool)] for i in range(count)]
    started = time.perf_counter()
    certified = sum(certification.evaluate(f, today)["certified"] for f in many)
    evaluate = time.perf_counter() - started
    return {"operators": len(codes), "read_s": read, "read_per_1000_s": read / len(codes) * 1000,
            "evaluated": count, "evaluate_s": evaluate, "certified": certified,
            "projected_100k_s": read / len(codes) * 100_000 + evaluate / count * 100_000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--certifications", type=int, default=100_000)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="gongshi-online-bench-"))
    try:
        env, marks, codes = prepare(home, args.entities)
        sample = random.Random(1).sample(marks, min(50, len(marks)))
        profiles = [f"/api/v1/entities/{c}" for c in random.Random(1).sample(codes, min(50, len(codes)))]
        targets = {"bare": ["/constant"], "profile": profiles, "page": [f"/marks/{m}" for m in sample],
                   "json": [f"/api/v1/marks/{m}" for m in sample], "svg": [f"/marks/{m}.svg" for m in sample]}
        results = {}
        for name, paths in targets.items():
            proc, base = portal_bench._start("bare" if name == "bare" else "portal", env)
            try:
                results[name] = portal_bench._measure(base, paths, args)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        cert = certifications(home, codes, args.certifications)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    bare = results["bare"]["rps"]
    rows = ["| endpoint | requests/s | / bare | errors |", "|---|---|---|---|",
            f"| bare Starlette constant | {bare:.0f} | 1.00 | {results['bare']['errors']} |"]
    for name, label in (("profile", "entity profile JSON (the portal bench's endpoint, same run)"),
                        ("page", "mark page `/marks/{id}`"), ("json", "mark JSON `/api/v1/marks/{id}`"),
                        ("svg", "badge `/marks/{id}.svg`")):
        r = results[name]
        what = f"{len(profiles)} entities" if name == "profile" else f"{len(sample)} marks"
        rows.append(f"| {label} ({what}) | {r['rps']:.0f} | {r['rps'] / bare:.2f} | {r['errors']} |")
    lines = ["## Online presences (issue 18): the mark under load, re-evaluating certifications", "",
             f"{describe()}. Demo store of {args.entities} entities ({len(marks)} marks), SQLite; "
             f"{args.connections} keep-alive connections, {args.seconds:g} s per endpoint after a 1 s warm-up, "
             "one uvicorn worker per server (target: at least 0.5x the bare endpoint).", "", *rows, "",
             f"Certifications after a rule change: reading the facts of {cert['operators']} operators took "
             f"{cert['read_s']:.2f} s ({cert['read_per_1000_s']:.2f} s per 1,000); evaluating {cert['evaluated']:,} "
             f"operators' facts took {cert['evaluate_s']:.2f} s ({cert['certified']:,} certified). Projected for "
             f"100,000 operators (reading + evaluating, linear): {cert['projected_100k_s']:.0f} s.", ""]
    text = "\n".join(lines)
    print(text)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
