"""Load submission items (in batches), annual reports, complaints and spot checks into the ledger, with progress bars."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any
from uuid import UUID

from tqdm import tqdm

import schemas
from application.deadlines import RunSummary
from application.supervision import Caller
from domain import trace_codes
from domain.annual_reports import ONLINE, Filing, deadline
from domain.cases import Actor
from domain.complaints import COMPLAINT_CASE
from domain.contributions import CONTRIBUTION
from domain.contributors import contributor_id
from domain.deadlines import report_years
from domain.errors import ValidationFailed
from domain.lenders import lender_id
from domain.reports import purposes as report_purposes
from domain.submission import ACCEPTED, DUPLICATE, REJECTED
from domain.trace import TraceActor
from domain.workdays import calendar
from gongshi.demo import generate
from gongshi.demo.annual_reports import DemoReport, generate_reports
from gongshi.demo.common import END_ISO
from gongshi.demo.complaints import DemoComplaint, generate_complaints
from gongshi.demo.contributions import CONTRIBUTORS, DemoContribution, generate_contributions
from gongshi.demo.lending import LENDERS, PRODUCTS, choose_firms
from gongshi.demo.spot_checks import demo_draws, generate_results
from gongshi.demo.trace import DemoChain, generate_chains
from gongshi.importer import ImportSummary
from gongshi.loading_services import load_documents, load_online, load_projects, load_quality_flags
from gongshi.platform import Platform
from projections.public import Moment, public_clause
from web.portal.reports import pdf_renderer

BATCH_SIZE = 1000


def load_items(platform: Platform, items: Iterable[dict[str, Any]], *, desc: str,
               submitter: str = "demo") -> ImportSummary:
    """Submit items batch by batch (each batch one transaction), each under its own source unit."""
    summary = ImportSummary()
    iterator = iter(items)
    with tqdm(desc=desc, unit=" items") as bar:
        while batch := list(islice(iterator, BATCH_SIZE)):
            result = platform.records.submit(batch, department=None, submitter=submitter, visible=False)
            summary.total += len(batch)
            summary.accepted += result.count(ACCEPTED)
            summary.duplicates += result.count(DUPLICATE)
            summary.rejected += result.count(REJECTED)
            if result.position is not None:
                summary.position = result.position
            bar.update(len(batch))
    return summary


def load_reports(platform: Platform, reports: Iterable[DemoReport], *, desc: str) -> ImportSummary:
    """File the demo's annual reports as their firms did, on the days they did (one command each)."""
    summary = ImportSummary()
    with tqdm(desc=desc, unit=" reports") as bar:
        for demo in reports:
            code = demo.report["credit_code"]
            filing = Filing(f"firm:{code}", ONLINE, credit_code=code, dated=True)
            summary.total += 1
            try:
                _, summary.position = platform.annual_reports.file(filing, demo.report, filed_on=demo.filed_on,
                                                                   visible=False)
                if demo.revision is not None:
                    platform.annual_reports.revise(filing, demo.revision, revised_on=demo.revised_on, visible=False)
                summary.accepted += 1
            except ValidationFailed as e:
                if any(err.code == "already_filed" for err in e.errors):
                    summary.duplicates += 1
                else:
                    summary.rejected += 1
            bar.update(1)
    return summary


def catch_up(platform: Platform) -> None:
    """Bring the read models up to the log, with a progress bar."""
    end = platform.ledger.position()
    start = platform.runner.position()
    with tqdm(total=end - start, desc="投影 projecting", unit=" events", disable=end == start) as bar:
        platform.runner.catch_up(progress=bar.update)


def load_spot_checks(platform: Platform, seed: int, end: str = END_ISO) -> ImportSummary:
    """The demo's inspection draws by the market regulator, on their days, and their results (one command each).

    The draws grade the entities as of their day, so the read models are caught up first.
    """
    catch_up(platform)
    end_day = min(dt.date.fromisoformat(end), platform.clock())
    regulator = next(d["code"] for d in schemas.catalog()["departments"] if d["key"] == "SCJG")
    inspector = Caller("demo", "submitter", regulator)
    summary = ImportSummary()
    for draw in demo_draws(seed, end_day):
        drawn = platform.supervision.draw(inspector, draw.seed, Moment.now(draw.drawn_on), drawn_on=draw.drawn_on)
        results = generate_results(draw, drawn["entities"], end_day)
        summary.total += len(results)
        if results:
            summary.position = platform.supervision.record_results(inspector, UUID(drawn["draw_id"]), results,
                                                                   visible=False)
            summary.accepted += len(results)
    return summary


#: What the demo's annual reports (and traceability roles) read of an entity (kept for every entity while the records load).
_REPORT_FIELDS = ("credit_code", "name", "established", "status", "phone", "address", "legal_representative",
                  "legal_representative_id_number", "registered_capital", "business_scope")


def run_deadlines(platform: Platform, days: Sequence[dt.date], *, desc: str) -> list[RunSummary]:
    """The deadline job on each of these days in turn, as the server's daily run would have taken it."""
    with tqdm(desc=desc, unit=" decisions") as bar:
        return [platform.deadlines.run(day, bar.update) for day in days]


def deadline_days(end: dt.date) -> list[dt.date]:
    """The days the demo's history runs the deadline job on: the first working day after each report year's
    deadline (when its listings fall due), then the demo's last day."""
    days = [calendar().add_working_days(deadline(year), 1) for year in report_years(end)]
    return sorted({*(d for d in days if d <= end), end})


@dataclass
class DemoLoad:
    """What `gongshi demo` loaded."""

    records: ImportSummary
    reports: ImportSummary
    checks: ImportSummary
    runs: list[RunSummary]
    labels: list[tuple[str, str, bool]]  # (printed traceability code, product, recalled) of the chains' batches


def load_demo(platform: Platform, entities: int, seed: int) -> DemoLoad:
    """`gongshi demo`: the records, the entities' annual reports, complaints, society-sourced reports, two
    spot-check draws and their results, the traceability chains, then the deadline job's decisions, a few credit
    reports, and 信易贷 (lenders, products, consents, lenders' reads, one refused, applications)."""
    registered: dict[str, dict[str, Any]] = {}

    def remembering(items: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for item in items:
            if item.get("kind") == "entity" and item.get("credit_code"):
                known = registered.get(item["credit_code"], {})
                registered[item["credit_code"]] = {**known, **{k: item[k] for k in _REPORT_FIELDS if k in item}}
            yield item

    records = load_items(platform, remembering(generate(entities=entities, seed=seed)), desc="载入 loading demo")
    reports = load_reports(platform, generate_reports(registered.values(), seed), desc="年报 annual reports")
    load_complaints(platform, generate_complaints(registered.values(), seed))
    load_contributions(platform, generate_contributions(registered.values(), seed))
    checks = load_spot_checks(platform, seed)
    labels = load_trace(platform, generate_chains(registered.values(), seed))
    runs = run_deadlines(platform, deadline_days(dt.date.fromisoformat(END_ISO)), desc="到期决定 deadlines")
    issue_demo_reports(platform)
    load_lending(platform, registered.values(), seed)
    load_online(platform, registered.values(), seed)
    load_documents(platform)
    load_projects(platform, registered.values(), seed)
    load_quality_flags(platform)
    return DemoLoad(records, reports, checks, runs, labels)


def load_trace(platform: Platform, chains: Iterable[DemoChain]) -> list[tuple[str, str, bool]]:
    """Send each chain's commands as its entities and departments would; the labels of the batches registered."""
    departments = {d.key: d.code for d in platform.ledger.catalog.departments.values()}
    labels = []
    for chain in tqdm(chains, desc="追溯 traceability", unit=" chains"):
        codes: dict[int, str] = {}
        for command in chain.commands:
            if command.actor.startswith("dept:"):
                key = command.actor.removeprefix("dept:")
                actor = TraceActor(f"demo:{key}", department=departments[key], department_key=key)
            else:
                actor = TraceActor(f"demo:firm:{command.actor}", credit_code=command.actor)
            if command.action == "register":
                saved = platform.trace.register(actor, command.body, visible=False)
                codes[command.batch] = saved.batch.code
                labels.append((trace_codes.printed(saved.batch.code), chain.product, chain.recalled))
                continue
            saved = platform.trace.record(actor, codes[command.batch], command.body, visible=False)
            for index, made in zip(command.creates, saved.created, strict=True):
                codes[index] = made.code
    return labels


#: The demo's credit reports: (how many, the document) for entities with the most public records, purposes in turn.
DEMO_REPORTS = 4
DEMO_SITE = "http://127.0.0.1:8000"


def issue_demo_reports(platform: Platform, site: str = DEMO_SITE) -> list[Path]:
    """Issue a few credit reports, as requesters would: PDFs saved under GONGSHI_HOME/reports/, one JSON report.

    The entities are the registered ones with the most public records (ties by key), so the choice is reproducible.
    """
    platform.catch_up()
    moment = Moment.now(platform.clock())
    public, params = public_clause(moment)
    keys = [k for (k,) in platform.views_db.execute(
        f"SELECT r.entity_key FROM v_records r JOIN v_entities e ON e.entity_key = r.entity_key AND e.valid_to IS NULL "
        f"WHERE {public} AND e.registered_in_city = 1 GROUP BY r.entity_key ORDER BY COUNT(*) DESC, r.entity_key "
        f"LIMIT {DEMO_REPORTS}", params)]
    purposes = list(report_purposes())
    folder = platform.settings.home / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for i, key in enumerate(keys):
        prepared = platform.reports.prepare(key, moment)
        as_pdf = i < len(keys) - 1
        issued = platform.reports.issue(prepared, purposes[i % len(purposes)],
                                        pdf_renderer(prepared, site) if as_pdf else None)
        if issued.pdf is not None:
            path = folder / f"{issued.number}.pdf"
            path.write_bytes(issued.pdf)
            saved.append(path)
    return saved


def load_complaints(platform: Platform, complaints: Iterable[DemoComplaint]) -> int:
    """File the demo's complaints on their days and take the handling departments' steps; the number filed."""
    codes = {d.key: d.code for d in platform.ledger.catalog.departments.values()}
    filed = 0
    for demo in tqdm(complaints, desc="投诉 complaints", unit=" cases"):
        on = dt.date.fromisoformat(demo.on)
        number, _, linked = platform.complaints.file(demo.filing, [], "demo", on)
        if linked:
            continue
        filed += 1
        department = platform.complaints.department_of(demo.filing["category"])
        for step, day, body in demo.steps:
            actor, when = Actor.reviewer(f"demo:{department}", department), dt.date.fromisoformat(day)
            if step == "transfer":
                target = codes[body["to"]] if codes[body["to"]] != department else codes["SCJG"]
                platform.complaints.transfer(actor, number, target, body["reason"], when)
                department = target
            elif step == "conclude":
                platform.complaints.conclude(actor, number, body["outcome"], body["reason"], when)
            else:
                platform.cases.step(actor, number, step, body.get("reason"), when, COMPLAINT_CASE)
    return filed


def load_contributions(platform: Platform, contributions: Iterable[DemoContribution]) -> int:
    """Register the demo's contributors, file their reports on their days, take the departments' decisions."""
    reports = list(contributions)
    first = min((dt.date.fromisoformat(c.on) for c in reports), default=dt.date.fromisoformat(END_ISO))
    for code, name, kind, _, _ in CONTRIBUTORS:
        if platform.ledger.get_or_none(contributor_id(code)) is None:
            platform.contributions.register(code, name, kind, first - dt.timedelta(days=30), "demo")
    for demo in tqdm(reports, desc="社会信用信息 contributions", unit=" reports"):
        number, _ = platform.contributions.report(Actor.contributor_of(demo.contributor), demo.report, [],
                                                  dt.date.fromisoformat(demo.on))
        if demo.decision is None:
            continue
        step, day, text = demo.decision
        department = platform.contributions.department_of(demo.report["category"])
        actor, when = Actor.reviewer(f"demo:{department}", department), dt.date.fromisoformat(day)
        if step == "confirm":
            platform.contributions.confirm(actor, number, text, when)
        else:
            platform.cases.step(actor, number, step, text, when, CONTRIBUTION)
    return len(reports)


def load_lending(platform: Platform, entities: Iterable[dict[str, Any]], seed: int) -> dict[str, int]:
    """The demo's 信易贷: lenders and products, then per chosen company a consent or an application, the lender's
    read of the fuller report and its decision, and one lender refused for want of consent (demo/lending.py)."""
    first = dt.date.fromisoformat(END_ISO) - dt.timedelta(days=90)
    for code, name, kind in LENDERS:
        if platform.ledger.get_or_none(lender_id(code)) is None:
            platform.lending.register(code, name, kind, first, "demo")
    for index, product in PRODUCTS:
        platform.lending.publish(LENDERS[index][0], product, first, "demo")
    platform.catch_up()
    counts = {"consents": 0, "applications": 0, "reads": 0, "refused": 0}
    companies = [e for e in entities if (e.get("credit_code") or "").startswith("91")]
    firms = choose_firms(companies, seed)
    for firm in tqdm(firms, desc="信易贷 lending", unit=" firms"):
        day, lender = dt.date.fromisoformat(firm.on), LENDERS[firm.lender][0]
        moment = Moment.now(day)
        eligible = [p for p in platform.lending.eligibility(firm.credit_code, moment) if p["eligible"]]
        if firm.applies and eligible:
            product = eligible[0]
            application, _, _ = platform.lending.apply(
                firm.credit_code, {"product_id": product["product_id"], "amount": product["amount"]["min"],
                                   "term_months": product["term_months"]["max"]}, moment, "demo")
            lender = product["lender_code"]
            counts["applications"] += 1
        else:
            application = None
            until = (day + dt.timedelta(days=180)).isoformat()
            platform.lending.grant(firm.credit_code, {"lender_code": lender, "purpose": "credit_line",
                                                      "valid_until": until}, day, "demo")
            counts["consents"] += 1
        platform.lender_reports.read(lender, f"demo:lender:{lender}", firm.credit_code, None, moment)
        counts["reads"] += 1
        if application is not None:
            decision = "granted" if firm.grant else "declined"
            platform.lending.decide(lender, application, decision, None, "", day, "demo")
    chosen = {f.credit_code for f in firms}
    stranger = next((e["credit_code"] for e in companies if e["credit_code"] not in chosen), None)
    if stranger is not None:  # a lender asks about a company that gave it no consent: refused, recorded, seen by it
        try:
            platform.lender_reports.read(LENDERS[0][0], f"demo:lender:{LENDERS[0][0]}", stranger, None,
                                         Moment.now(dt.date.fromisoformat(END_ISO)))
        except ValidationFailed:
            counts["refused"] += 1
    return counts
