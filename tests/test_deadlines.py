"""The deadline job (`gongshi deadlines run`): listings, marks, removals and the serious list decided by the rules of
schemas/deadline_rules.json on the right working day, each stored once, named by its rule, on SQLite and PostgreSQL."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import application.deadlines
import schemas
from application.supervision import Caller
from domain import deadlines
from domain.annual_reports import ONLINE, Filing
from domain.cases import REPAIR, Actor
from domain.catalog import Catalog
from domain.codes import make_credit_code
from domain.errors import CaseForbiddenError
from domain.inspections import UNREACHABLE, outcomes
from domain.records import Record, record_id
from gongshi.daily import Daily
from projections import queries
from projections.public import Moment
from tests.records import COMPANY, SCJG, entity
from tests.test_annual_reports import report
from tests.test_crash import cli_env
from tests.test_repair import MATERIALS
from web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
INDIVIDUAL = make_credit_code("92", "210504", "MA0YQ2C4")
UNLISTED = make_credit_code("91", "210502", "MA0YY9C1")  # an entity known only from a listing
DEADLINE = dt.date(2026, 6, 30)  # the 2025 reports' deadline (a Tuesday)
FIRST_DAY = dt.date(2026, 7, 1)  # the first working day after it


def listing_id(code: str = COMPANY, year: int = 2025, kind: str = "anomaly_listing") -> str:
    rule = "AR-MISSED-ANOMALY" if kind == "anomaly_listing" else "IB-MISSED-MARK"
    document = deadlines.rules()[rule].document_number.format(year=year, credit_code=code)
    return str(record_id(kind, SCJG, document))


def register(platform, **overrides: Any) -> None:
    """A company registered in 2025: the 2025 report is the first it owes."""
    result = platform.records.submit([entity(**{"established": "2025-03-01", **overrides})], department=SCJG,
                                     submitter="test")
    assert result.count("accepted") == 1


def file_report(platform, code: str = COMPANY, year: int = 2025, on: str = "2026-05-10", **overrides: Any) -> None:
    filing = Filing(f"firm:{code}", ONLINE, credit_code=code, dated=True)
    platform.annual_reports.file(filing, report(year=year, credit_code=code, **overrides), filed_on=on)


def current(platform, kind: str) -> list[dict[str, Any]]:
    return platform.views_db.query("SELECT * FROM v_records WHERE valid_to IS NULL AND kind = ? ORDER BY document_number",
                                   (kind,))


def fields(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(row["data"])


def events_per_record(platform) -> Counter[str]:
    """How many times each record was recorded (a Record.Recorded per aggregate, once ever)."""
    counts: Counter[str] = Counter()
    for n in platform.ledger.recorder.select_notifications(start=1, limit=1_000_000):
        if n.topic == Record.Recorded.TOPIC:
            counts[str(n.originator_id)] += 1
    return counts


# -- not filed: listed on the first working day after the deadline, and not before ----------------------------
def test_a_company_that_did_not_file_is_listed_on_the_first_working_day_after_the_deadline_and_not_before(platform):
    register(platform)
    assert platform.deadlines.run(DEADLINE).decided == 0  # the deadline day itself is still in the window
    assert current(platform, "anomaly_listing") == []
    summary = platform.deadlines.run(FIRST_DAY)
    assert summary.rules["AR-MISSED-ANOMALY"].decided == 1 and summary.rules["AR-MISSED-ANOMALY"].overdue == 0
    [row] = current(platform, "anomaly_listing")
    rule = deadlines.rules()["AR-MISSED-ANOMALY"]
    assert row["record_id"] == listing_id() and row["decision_date"] == "2026-07-01"
    assert row["authority_code"] == row["department"] == SCJG  # the catalog's source of anomaly listings
    assert row["authority"] == "本溪市市场监督管理局"
    stored = fields(row)
    assert stored["cause"] == "未按规定报送年度报告" == rule.cause
    assert (stored["rule_id"], stored["legal_basis"], stored["report_year"]) == ("AR-MISSED-ANOMALY", rule.legal_basis, 2025)
    assert stored["document_number"] == f"本市监年报异列〔2025年度〕{COMPANY}号"


def test_on_a_rest_day_nothing_is_decided_and_the_next_working_day_is(platform):
    register(platform, established="2023-05-01")
    file_report(platform, year=2024, on="2025-04-01")
    file_report(platform, year=2025, on="2026-04-01")
    sunday = dt.date(2024, 6, 30)  # the 2023 reports' deadline fell on a Sunday
    assert not platform.deadlines.run(sunday).working_day
    assert platform.deadlines.run(dt.date(2024, 6, 29)).decided == 0  # a Saturday
    assert current(platform, "anomaly_listing") == []
    assert platform.deadlines.run(dt.date(2024, 7, 1)).decided == 1
    assert [r["decision_date"] for r in current(platform, "anomaly_listing")] == ["2024-07-01"]


def test_filed_on_time_registered_after_the_year_or_deregistered_means_no_listing(platform):
    register(platform)
    file_report(platform)
    later = make_credit_code("91", "210504", "MA1AB2C3")
    gone = make_credit_code("91", "210504", "MA1AB2C4")
    platform.records.submit([entity(credit_code=later, established="2026-01-15"),
                             entity(credit_code=gone, established="2020-01-15", status="注销")],
                            department=SCJG, submitter="test")
    summary = platform.deadlines.run(FIRST_DAY)
    assert summary.decided == 0 and current(platform, "anomaly_listing") == []


def test_a_report_filed_after_the_deadline_still_means_the_listing(platform):
    register(platform)
    file_report(platform, on="2026-07-01")  # 补报, a day late
    platform.deadlines.run(dt.date(2026, 7, 2))
    assert [r["record_id"] for r in current(platform, "anomaly_listing")] == [listing_id()]


def test_the_rule_is_named_on_the_profile_and_the_record_page(platform):
    register(platform)
    platform.deadlines.run(FIRST_DAY)
    with TestClient(create_app(platform, follow=False)) as client:
        profile = client.get(f"/entities/{COMPANY}", params={"tab": "anomaly"}).text
        record = client.get(f"/records/{listing_id()}").text
        api = client.get(f"/api/v1/records/{listing_id()}").json()
        listed = client.get("/api/v1/lists/anomaly").json()
    assert "未按规定报送年度报告" in profile and "AR-MISSED-ANOMALY" in profile
    assert "AR-MISSED-ANOMALY" in record and "《企业经营异常名录管理暂行办法》第四条" in record and "决定规则编号" in record
    assert api["record"]["fields"]["rule_id"] == "AR-MISSED-ANOMALY" and api["record"]["listing"]["on_list"]
    assert [i["id"] for i in listed["items"]] == [listing_id()]


def test_as_of_before_the_decision_does_not_show_the_listing(platform):
    register(platform)
    before = platform.ledger.position()
    platform.deadlines.run(FIRST_DAY)
    with TestClient(create_app(platform, follow=False)) as client:
        then = client.get(f"/api/v1/entities/{COMPANY}", params={"as_of": str(before)}).json()
        now = client.get(f"/api/v1/entities/{COMPANY}").json()
    anomaly = {s["tab"]: s["total"] for s in then["sections"]}["anomaly"]
    assert anomaly == 0 and {s["tab"]: s["total"] for s in now["sections"]}["anomaly"] == 1
    # the publicity rules applied on a day before the decision date do not show it either
    seen = queries.entity(platform.views_db, Moment(None, DEADLINE.isoformat()), COMPANY)
    assert {s["tab"]: s["total"] for s in seen["sections"]}["anomaly"] == 0


# -- each decision once ----------------------------------------------------------------------------------------
def many(platform, n: int) -> list[str]:
    codes = [make_credit_code("91", "210504", f"MA2{i:05d}") for i in range(n)]
    platform.records.submit([entity(credit_code=c, name=f"本溪测试{i}有限公司", established="2025-02-01")
                             for i, c in enumerate(codes)], department=SCJG, submitter="test")
    return codes


def test_running_twice_stores_each_decision_once(platform):
    many(platform, 5)
    first = platform.deadlines.run(FIRST_DAY)
    position = platform.ledger.position()
    again = platform.deadlines.run(FIRST_DAY)
    next_day = platform.deadlines.run(dt.date(2026, 7, 2))
    assert first.rules["AR-MISSED-ANOMALY"].decided == 5
    assert (again.decided, again.rules["AR-MISSED-ANOMALY"].already) == (0, 5)
    assert (next_day.decided, next_day.rules["AR-MISSED-ANOMALY"].already) == (0, 5)
    assert platform.ledger.position() == position
    assert len(current(platform, "anomaly_listing")) == 5


def test_a_plan_made_before_another_run_stored_its_decisions_stores_nothing_twice(platform):
    many(platform, 3)
    stale = platform.deadlines.plan(dt.date(2026, 7, 2))  # as a second process would see it
    platform.deadlines.run(FIRST_DAY)
    late = platform.deadlines.take(stale)  # other day, same document numbers: the store refuses a second one
    assert late.decided == 0 and late.rejected == 0 and late.rules["AR-MISSED-ANOMALY"].already == 3
    assert all(n == 1 for n in events_per_record(platform).values())
    assert [r["decision_date"] for r in current(platform, "anomaly_listing")] == ["2026-07-01"] * 3


def test_a_run_that_crashes_half_way_and_runs_again_stores_each_decision_once(platform, monkeypatch):
    codes = many(platform, 7)
    monkeypatch.setattr(application.deadlines, "BATCH", 2)
    submit, calls = platform.records.submit, []

    def crashing(*args: Any, **kwargs: Any):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit("killed")  # after two whole batches (four listings) were stored
        return submit(*args, **kwargs)

    monkeypatch.setattr(platform.records, "submit", crashing)
    with pytest.raises(SystemExit):
        platform.deadlines.run(FIRST_DAY)
    assert len(current(platform, "anomaly_listing")) == 4
    monkeypatch.setattr(platform.records, "submit", submit)
    again = platform.deadlines.run(FIRST_DAY)
    assert (again.rules["AR-MISSED-ANOMALY"].decided, again.rules["AR-MISSED-ANOMALY"].already) == (3, 4)
    assert sorted(r["credit_code"] for r in current(platform, "anomaly_listing")) == sorted(codes)
    counts = events_per_record(platform)
    assert all(counts[listing_id(c)] == 1 for c in codes)


# -- individual businesses: the abnormal-state mark instead -----------------------------------------------------
def test_an_individual_business_gets_the_abnormal_state_mark_not_the_anomaly_list(platform):
    register(platform, credit_code=INDIVIDUAL, name="本溪市明山区李记五金店", entity_type="个体工商户")
    summary = platform.deadlines.run(FIRST_DAY)
    assert summary.rules["IB-MISSED-MARK"].decided == 1 and summary.rules["AR-MISSED-ANOMALY"].decided == 0
    assert current(platform, "anomaly_listing") == []
    [mark] = current(platform, "abnormal_mark")
    assert mark["record_id"] == listing_id(INDIVIDUAL, kind="abnormal_mark") and mark["party_type"] == "个体工商户"
    assert fields(mark)["rule_id"] == "IB-MISSED-MARK" and fields(mark)["cause"] == "未按规定报送年度报告"
    with TestClient(create_app(platform, follow=False)) as client:
        profile = client.get(f"/api/v1/entities/{INDIVIDUAL}").json()
        page = client.get(f"/entities/{INDIVIDUAL}", params={"tab": "abnormal"}).text
        anomaly_list = client.get("/api/v1/lists/anomaly").json()
    sections = {s["tab"]: s for s in profile["sections"]}
    assert sections["abnormal"]["total"] == 1 and sections["anomaly"]["total"] == 0
    assert sections["abnormal"]["items"][0]["listing"]["on_list"]
    assert "经营异常状态标记记录" in page and "IB-MISSED-MARK" in page and "经营异常状态" in page
    assert anomaly_list["total"] == 0


# -- filed late and applied for removal ------------------------------------------------------------------------
def apply_for_removal(platform, record: str, code: str = COMPANY, on: dt.date = dt.date(2026, 7, 13)) -> str:
    return platform.cases.apply_for_repair(Actor.firm(code), record, MATERIALS, "已补报年度报告，申请移出", on)[0]


def test_filing_late_and_applying_removes_the_listing_within_five_working_days(platform):
    register(platform)
    platform.deadlines.run(FIRST_DAY)
    number = apply_for_removal(platform, listing_id(), on=dt.date(2026, 7, 10))
    waiting = platform.deadlines.run(dt.date(2026, 7, 13))  # the report is still missing: the reviewer decides
    assert waiting.rules["AR-LATE-REMOVAL"].decided == 0 and platform.cases.case(number).status == "submitted"
    file_report(platform, on="2026-07-14")
    summary = platform.deadlines.run(dt.date(2026, 7, 15))
    outcome = summary.rules["AR-LATE-REMOVAL"]
    assert (outcome.decided, outcome.settled, outcome.overdue) == (1, 1, 0)
    [row] = current(platform, "anomaly_listing")
    removal = fields(row)["removal"]
    assert row["removed_date"] == "2026-07-15" and removal["cause"] == "已补报年度报告"
    assert removal["rule_id"] == "AR-LATE-REMOVAL" and "第十一条" in removal["legal_basis"]
    assert removal["document_number"] == f"本市监年报异移〔2025年度〕{COMPANY}号"
    case = platform.cases.case(number)
    assert case.status == "removed" and not case.is_open and case.steps[-1]["by"] == "rule:AR-LATE-REMOVAL"
    again = platform.deadlines.run(dt.date(2026, 7, 16))
    assert again.decided == 0 and again.rules["AR-LATE-REMOVAL"].settled == 0
    with TestClient(create_app(platform, follow=False)) as client:
        listed = client.get("/api/v1/lists/anomaly").json()
        removed = client.get("/api/v1/lists/anomaly", params={"status": "removed"}).json()
        status = client.get(f"/api/v1/cases/{number}").json()
    assert listed["total"] == 0 and [i["id"] for i in removed["items"]] == [listing_id()]
    assert status["status"] == "removed"


def test_a_removal_stored_before_a_crash_settles_its_case_on_the_next_run(platform, monkeypatch):
    register(platform)
    platform.deadlines.run(FIRST_DAY)
    number = apply_for_removal(platform, listing_id())
    file_report(platform, on="2026-07-13")
    monkeypatch.setattr(platform.deadlines, "_settle", lambda *a: (_ for _ in ()).throw(SystemExit("killed")))
    with pytest.raises(SystemExit):
        platform.deadlines.run(dt.date(2026, 7, 14))
    assert current(platform, "anomaly_listing")[0]["removed_date"] == "2026-07-14"
    monkeypatch.undo()
    summary = platform.deadlines.run(dt.date(2026, 7, 15))
    assert (summary.rules["AR-LATE-REMOVAL"].decided, summary.rules["AR-LATE-REMOVAL"].settled) == (0, 1)
    assert platform.cases.case(number).status == "removed"
    assert current(platform, "anomaly_listing")[0]["removed_date"] == "2026-07-14"


def test_an_individual_business_that_files_late_and_applies_is_restored(platform):
    register(platform, credit_code=INDIVIDUAL, name="本溪市明山区李记五金店", entity_type="个体工商户")
    platform.deadlines.run(FIRST_DAY)
    number = apply_for_removal(platform, listing_id(INDIVIDUAL, kind="abnormal_mark"), code=INDIVIDUAL)
    filing = Filing(f"firm:{INDIVIDUAL}", ONLINE, credit_code=INDIVIDUAL, dated=True)
    platform.annual_reports.file(filing, {"year": 2025, "credit_code": INDIVIDUAL, "name": "本溪市明山区李记五金店",
                                          "operator": "李明", "phone": "13812345678", "employees": 2,
                                          "has_website": False}, filed_on="2026-07-13")
    summary = platform.deadlines.run(dt.date(2026, 7, 14))
    assert summary.rules["IB-LATE-RESTORE"].decided == 1
    [mark] = current(platform, "abnormal_mark")
    assert mark["removed_date"] == "2026-07-14" and fields(mark)["removal"]["rule_id"] == "IB-LATE-RESTORE"
    assert platform.cases.case(number).status == "removed"


def test_only_the_rule_takes_the_removal_step_of_a_case(platform):
    register(platform)
    platform.deadlines.run(FIRST_DAY)
    number = apply_for_removal(platform, listing_id())
    with pytest.raises(CaseForbiddenError):
        platform.cases.step(Actor.reviewer("token:scjg", SCJG), number, "remove", "已补报", dt.date(2026, 7, 14), REPAIR)


# -- three years listed: the serious list ----------------------------------------------------------------------
def old_listing(platform, decided: str = "2023-06-15", n: int = 1) -> str:
    document = f"本市监异列〔2023〕{n}号"
    platform.records.submit([{
        "kind": "anomaly_listing", "party_name": "本溪市平山区旧账商贸有限公司", "party_type": "法人及非法人组织",
        "credit_code": UNLISTED, "document_number": document, "cause": "未按规定期限公示年度报告",
        "decision_date": decided, "authority": "本溪市市场监督管理局", "authority_code": SCJG}], department=SCJG,
        submitter="test")
    return str(record_id("anomaly_listing", SCJG, document))


def test_three_years_on_the_anomaly_list_moves_the_entity_to_the_serious_list(platform):
    listing = old_listing(platform)
    assert platform.deadlines.run(dt.date(2026, 6, 12)).decided == 0  # three years less a few days
    summary = platform.deadlines.run(dt.date(2026, 6, 15))
    assert summary.rules["ANOMALY-3Y-SERIOUS"].decided == 1
    [row] = current(platform, "dishonesty_listing")
    stored = fields(row)
    assert row["list_type"] == "严重违法失信" and row["decision_date"] == "2026-06-15" and row["department"] == SCJG
    assert stored["rule_id"] == "ANOMALY-3Y-SERIOUS" and "第十七条" in stored["legal_basis"]
    assert "本市监异列〔2023〕1号" in stored["cause"]
    assert stored["document_number"] == f"本市监严列〔异常满三年〕{UNLISTED}-{listing.replace('-', '')[:8]}号"
    assert platform.deadlines.run(dt.date(2026, 6, 16)).decided == 0
    answer = platform.supervision.check(Caller("test", "reviewer", None), [(UNLISTED, None)], Moment.now(dt.date(2026, 6, 16)))
    triggered = {t.get("record_id") for m in answer[0]["measures"] for t in m["triggers"]}
    assert row["record_id"] in triggered  # the joint-punishment measures follow the serious listing


def test_a_listing_removed_before_three_years_does_not_reach_the_serious_list(platform):
    listing = old_listing(platform)
    platform.records.submit([{"kind": "anomaly_removal", "credit_code": UNLISTED, "listing_document_number": "本市监异列〔2023〕1号",
                              "document_number": "本市监异移〔2025〕1号", "cause": "已补报年度报告", "decision_date": "2025-03-01",
                              "authority": "本溪市市场监督管理局", "authority_code": SCJG}], department=SCJG, submitter="test")
    assert listing and platform.deadlines.run(dt.date(2026, 6, 15)).decided == 0


def test_an_entity_with_two_old_listings_is_put_on_the_serious_list_once(platform):
    old_listing(platform, "2023-05-04", 1)
    old_listing(platform, "2023-05-10", 2)
    summary = platform.deadlines.run(dt.date(2026, 6, 15))
    assert summary.rules["ANOMALY-3Y-SERIOUS"].decided == 1 and len(current(platform, "dishonesty_listing")) == 1


# -- the rules, the command line, the server's daily run --------------------------------------------------------
def test_the_rules_file_names_every_rule_with_its_basis_and_the_kinds_it_decides():
    found = deadlines.rules()
    assert list(found) == ["AR-MISSED-ANOMALY", "IB-MISSED-MARK", "AR-LATE-REMOVAL", "IB-LATE-RESTORE",
                           "ANOMALY-3Y-SERIOUS", "SPOT-UNREACHABLE-ANOMALY", "IB-UNREACHABLE-MARK"]
    for rule in found.values():
        assert rule.legal_basis and rule.decides in schemas.KINDS and "rule_id" in schemas.kind_schema(rule.decides)["properties"]
        cause = schemas.kind_schema(rule.decides)["properties"]["cause"]
        assert rule.cause in cause.get("enum", [rule.cause])
        assert rule.of_rule is None or rule.of_rule in found
    assert [r.limit_working_days for r in found.values() if r.active] == [10, 10, 5, 5, None, 10, 10]
    assert all(r.active for r in found.values())
    assert {r.inspection_outcome for r in found.values()} <= {None} | set(outcomes())


def test_the_command_line_takes_the_decisions_of_the_day_given(platform, settings):
    register(platform)
    command = [sys.executable, "-m", "gongshi.cli", "deadlines", "run"]
    env = cli_env(settings)
    before = subprocess.run([*command, "--today", "2026-06-30"], env=env, cwd=ROOT, capture_output=True, text=True)
    run = subprocess.run([*command, "--today", "2026-07-01"], env=env, cwd=ROOT, capture_output=True, text=True)
    again = subprocess.run([*command, "--today", "2026-07-01"], env=env, cwd=ROOT, capture_output=True, text=True)
    rest = subprocess.run([*command, "--today", "2026-07-04"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert (before.returncode, run.returncode, again.returncode, rest.returncode) == (0, 0, 0, 0), run.stderr
    assert "AR-MISSED-ANOMALY: 0 decided" in before.stdout
    assert "AR-MISSED-ANOMALY: 1 decided (0 after the legal limit), 0 already decided" in run.stdout
    assert "AR-MISSED-ANOMALY: 0 decided (0 after the legal limit), 1 already decided" in again.stdout
    assert "SPOT-UNREACHABLE-ANOMALY: 0 decided" in run.stdout and "not a working day" in rest.stdout
    platform.runner.catch_up()
    assert [r["decision_date"] for r in current(platform, "anomaly_listing")] == ["2026-07-01"]
    helped = subprocess.run([*command, "--help"], cwd=ROOT, capture_output=True, text=True)
    assert helped.returncode == 0 and "--today" in helped.stdout


def test_the_daily_job_runs_once_a_day_and_again_after_a_failure():
    days, runs = [dt.date(2026, 7, 1)], []

    def job(day: dt.date) -> str:
        runs.append(day)
        if len(runs) == 2:
            raise RuntimeError("store unreachable")
        return "ok"

    daily = Daily("test", job, lambda: days[-1])
    assert daily.tick() and not daily.tick()  # once on the day
    days.append(dt.date(2026, 7, 2))
    assert not daily.tick() and daily.error is not None  # failed: tried again at the next look
    assert daily.tick() and daily.last == dt.date(2026, 7, 2) and daily.error is None
    assert runs == [dt.date(2026, 7, 1), dt.date(2026, 7, 2), dt.date(2026, 7, 2)]


def test_the_server_runs_the_deadline_job_on_start(platform):
    register(platform)  # the platform's today (2026-11-25) is past the 2025 reports' deadline
    with TestClient(create_app(platform, follow=False, daily=True)):
        deadline = time.monotonic() + 60
        while not current(platform, "anomaly_listing") and time.monotonic() < deadline:
            time.sleep(0.2)
    [row] = current(platform, "anomaly_listing")
    assert row["decision_date"] == "2026-11-25" and fields(row)["rule_id"] == "AR-MISSED-ANOMALY"


# -- unreachable at the registered address (the HTTP journey is in tests/test_spot_checks.py) -------------------
def found_unreachable(*codes: str, draw: str = "5f0c2b1e-0000-4000-8000-000000000001", on: str = "2026-06-18",
                      outcome: str = UNREACHABLE) -> list[deadlines.Inspected]:
    return [deadlines.Inspected(code, draw, outcome, on, SCJG) for code in codes]


def unreachable_plan(inspected: list[deadlines.Inspected], listings: list[deadlines.Listing] | None = None,
                     today: dt.date = FIRST_DAY, status: str = "存续") -> deadlines.Plan:
    entities = [deadlines.Registered(code, f"主体{code[-4:]}", "2026-01-01", status, None)
                for code in (COMPANY, INDIVIDUAL)]
    facts = deadlines.Facts(entities, {}, listings or [], [], inspected)
    return deadlines.Decider(Catalog(schemas.catalog()), today).plan(facts)


def test_an_unreachable_company_is_listed_and_an_unreachable_individual_business_is_marked():
    plan = unreachable_plan(found_unreachable(COMPANY, INDIVIDUAL))
    decided = {d.item["credit_code"]: d for d in plan.decisions}
    assert decided[COMPANY].rule.id == "SPOT-UNREACHABLE-ANOMALY" and decided[COMPANY].item["kind"] == "anomaly_listing"
    assert decided[INDIVIDUAL].rule.id == "IB-UNREACHABLE-MARK" and decided[INDIVIDUAL].item["kind"] == "abnormal_mark"
    assert decided[INDIVIDUAL].item["cause"] == "通过登记的经营场所无法联系"
    assert decided[COMPANY].due == dt.date(2026, 7, 3)  # 10 working days from 2026-06-18 (19 June: 端午节)
    assert not decided[COMPANY].overdue(dt.date(2026, 7, 3)) and decided[COMPANY].overdue(dt.date(2026, 7, 6))


def test_an_entity_on_the_list_for_being_unreachable_is_not_listed_again_for_a_later_draw():
    listing = deadlines.Listing("r1", "anomaly_listing", None, COMPANY, "主体", "本市监查异列〔x〕号", SCJG, "2026-03-02",
                                "通过登记的住所或者经营场所无法联系", "SPOT-UNREACHABLE-ANOMALY", None, True, None)
    assert [d.item["credit_code"] for d in unreachable_plan(found_unreachable(COMPANY), [listing]).decisions] == []
    removed = dataclasses.replace(listing, on_list=False)
    assert len(unreachable_plan(found_unreachable(COMPANY), [removed]).decisions) == 1
    twice = found_unreachable(COMPANY) + found_unreachable(COMPANY, draw="5f0c2b1e-0000-4000-8000-000000000002")
    assert len(unreachable_plan(twice).decisions) == 1  # two draws found it before the job ran: listed once


def test_other_outcomes_deregistered_entities_and_rest_days_decide_nothing():
    assert unreachable_plan(found_unreachable(COMPANY, outcome="no_problem")).decisions == []
    assert unreachable_plan(found_unreachable(COMPANY), status="注销").decisions == []
    assert unreachable_plan(found_unreachable(COMPANY), today=dt.date(2026, 7, 4)).decisions == []
