"""Investment projects benchmark (issue 19): the project page and its status JSON p95 with many projects in the store,
and what the credit check adds to acceptance.

    python bench/projects_bench.py [--projects 100000] [--entities 300] [--requests 500]

The projects are built as the application builds them (domain ProjectCase aggregates, saved 500 per transaction,
then the read models caught up once: loading, not the thing measured). Then, in-process through the real ASGI app
(Starlette's TestClient), `--requests` project pages and status answers for random codes, each the first request
for its URL (a miss of the position-keyed answer cache); and `--accepts` acceptances, each timed whole and its
credit check (Supervision.check for the business `investment`, recorded in the log) timed on its own.
Prints a Markdown section and writes it to bench/results/projects.md.
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

from bench.machine import calibration, describe  # noqa: E402

OUT = ROOT / "bench" / "results" / "projects.md"
TODAY = dt.date(2026, 11, 25)


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--entities", type=int, default=300)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--accepts", type=int, default=200)
    args = parser.parse_args()

    from starlette.testclient import TestClient
    from tqdm import tqdm

    from application.supervision import Caller
    from domain import projects
    from domain.cases import Actor, limits_for
    from domain.projects import PROJECT, ProjectCase
    from gongshi.config import Settings
    from gongshi.demo import generate
    from gongshi.loading import load_items
    from gongshi.platform import Platform
    from projections.public import Moment
    from web.app import create_app

    with tempfile.TemporaryDirectory() as home:
        platform = Platform(Settings(home=Path(home)), today=TODAY)
        load_items(platform, generate(entities=args.entities, seed=20261125), desc="demo")
        platform.catch_up()
        firms = [(r["credit_code"], r["name"], r["district"] or "210502") for r in platform.views_db.query(
            "SELECT credit_code, name, district FROM v_entities WHERE valid_to IS NULL AND credit_code LIKE '91%'")]
        rng, window = random.Random(1), platform.projects.window
        kinds, industries = list(projects.rules()["types"]), list(projects.rules()["industries"])
        codes: list[str] = []
        started = time.perf_counter()
        batch: list[ProjectCase] = []
        for n in tqdm(range(args.projects), desc="projects", unit=" projects"):
            code, name, district = rng.choice(firms)
            kind, industry = rng.choice(kinds), rng.choice(industries)
            number = projects.project_code(kind, industry, district, TODAY)
            fields = {"name": f"{name}项目{n}", "project_type": kind, "industry": industry, "district": district,
                      "amount": float(rng.randint(100, 50000)), "description": "", "commitment": False}
            items = [{"item": i, "department": platform.projects.department_of_key(projects.rules()["items"][i]
                                                                                   ["department"]),
                      "working_days": projects.rules()["items"][i]["working_days"]}
                     for i in projects.items_for(kind, industry)]
            batch.append(ProjectCase(number=number, record_id="", record_kind="", document_number="",
                                     credit_code=code, party_name=name, department=window, statement=fields["name"],
                                     materials=[], limits=limits_for(PROJECT, TODAY), on=TODAY.isoformat(),
                                     submitter="bench", subject_type="project", project=fields, items=items))
            codes.append(number)
            if len(batch) == 500:
                platform.ledger.save(*batch)
                batch = []
        if batch:
            platform.ledger.save(*batch)
        platform.catch_up()
        loaded = time.perf_counter() - started

        sample = rng.sample(codes, min(args.requests, len(codes)))
        pages, answers = [], []
        with TestClient(create_app(platform, follow=False)) as client:
            for code in sample:
                t = time.perf_counter()
                assert client.get(f"/projects/{code}").status_code == 200
                pages.append(time.perf_counter() - t)
                t = time.perf_counter()
                assert client.get(f"/api/v1/projects/{code}").status_code == 200
                answers.append(time.perf_counter() - t)
            accepts, checks = [], []  # inside the client: leaving it shuts the app down, and the platform with it
            actor = Actor.reviewer("bench", window)
            for code in rng.sample(codes, min(args.accepts, len(codes))):
                case = platform.projects.cases.case(code, PROJECT)
                t = time.perf_counter()
                platform.supervision.check(Caller("bench", "reviewer", window), [(case.credit_code, "investment")],
                                           Moment.now(TODAY))
                checks.append(time.perf_counter() - t)
                t = time.perf_counter()
                platform.projects.accept(actor, code, TODAY)
                accepts.append(time.perf_counter() - t)
    lines = ["## Investment projects (issue 19): the project page with many projects, the credit check in acceptance",
             "", f"{describe()}; calibration {calibration():.0f} ms. {args.projects:,} projects of {len(firms)} firms "
             f"(loaded and projected in {loaded:.0f} s), SQLite, in-process ASGI (TestClient), each URL requested once "
             "(a miss of the answer cache).", "",
             "| what | p50 ms | p95 ms |", "|---|---|---|",
             f"| project page `/projects/{{code}}` ({len(pages)}) | {statistics.median(pages) * 1000:.1f} | "
             f"{_p95(pages):.1f} |",
             f"| status JSON `/api/v1/projects/{{code}}` ({len(answers)}) | {statistics.median(answers) * 1000:.1f} | "
             f"{_p95(answers):.1f} |",
             f"| acceptance, whole (check, event, catch-up; {len(accepts)}) | {statistics.median(accepts) * 1000:.1f} | "
             f"{_p95(accepts):.1f} |",
             f"| the credit check alone (recorded; {len(checks)}) | {statistics.median(checks) * 1000:.1f} | "
             f"{_p95(checks):.1f} |", "",
             "Target: the credit check inside acceptance adds under 20 ms p95.", ""]
    text = "\n".join(lines)
    print(text)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
