"""Complaints and reports over real HTTP: anyone files, follows by number without logging in, the routed
department decides within the case model's steps; contacts never reach a public answer; bad input is refused
naming the field with nothing stored."""
from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.casework import activate, reviewer
from tests.portal import dataset_csv
from tests.records import COMPANY, JTYS, SCJG, entity
from web.app import create_app

PHONE = "13912345678"


def filing(**overrides):
    return {"kind": "complaint", "category": "product_quality", "subject_key": COMPANY,
            "facts": "2026年11月购买的水泥，经检测强度不达标，商家拒绝退货。", "contact": {"name": "张三", "phone": PHONE},
            **overrides}


@pytest.fixture
def client(platform):
    platform.records.submit([entity()], department=SCJG, submitter="test")
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


def file(client, **overrides):
    return client.post("/api/v1/complaints", json=filing(**overrides))


def refused(client, platform, body, status, field):
    before = platform.ledger.position()
    answer = client.post("/api/v1/complaints", json=body)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert field in [e["field"] for e in error.get("errors", [error])] and error["message_zh"] and error["message_en"]
    assert platform.ledger.position() == before


def test_a_complaint_is_routed_by_category_and_followed_by_number_without_the_contact(client, platform):
    answer = file(client)
    assert answer.status_code == 201, answer.text
    number = answer.json()["number"]
    assert number.startswith("TS")
    status = client.get(f"/api/v1/cases/{number}").json()
    assert status["kind"] == "complaint" and status["status"] == "submitted" and status["category_label"] == "产品质量"
    assert status["due"] == "2026-12-04"  # 7 working days after 2026-11-25
    page = client.get(f"/cases/{number}").text
    for public in (str(status), page):
        assert PHONE not in public and "张三" not in public and "强度不达标" not in public
    full = client.get(f"/api/v1/complaints/{number}", headers=reviewer(platform, SCJG)).json()
    assert full["contact"] == {"name": "张三", "phone": PHONE} and full["department"] == SCJG


def test_the_same_filing_while_open_returns_the_open_case(client, platform):
    first = file(client).json()["number"]
    again = file(client)
    assert again.status_code == 200 and again.json() == {**again.json(), "number": first, "linked": True}
    other = file(client, facts="另一批次的水泥也不合格。")
    assert other.status_code == 201 and other.json()["number"] != first


def test_the_department_acknowledges_transfers_and_the_new_one_concludes_within_its_limits(client, platform):
    number = file(client).json()["number"]
    scjg, jtys = reviewer(platform, SCJG), reviewer(platform, JTYS)
    step = lambda who, name, **body: client.post(f"/api/v1/complaints/{number}/{name}", json=body, headers=who)  # noqa: E731
    assert step(scjg, "acknowledge").json()["status"] == "acknowledged"
    moved = step(scjg, "transfer", to_department=JTYS, reason="属于道路运输服务，转交通运输局")
    assert moved.status_code == 200 and moved.json()["department"] == JTYS and moved.json()["status"] == "submitted"
    assert step(scjg, "acknowledge").status_code == 403  # routed elsewhere now
    assert step(jtys, "acknowledge").status_code == 200
    assert step(jtys, "accept").json()["due"] == "2027-02-24"  # 60 working days (past the 2027 Spring Festival, provisional)
    assert step(jtys, "extend").status_code == 422  # a reason is required
    assert step(jtys, "extend", reason="需要检测机构出具报告").json()["status"] == "extended"
    assert step(jtys, "extend", reason="again").status_code == 409  # one extension only
    assert step(jtys, "conclude", reason="已责令退货并处罚").status_code == 422  # an outcome is required
    done = step(jtys, "conclude", outcome="substantiated", reason="已责令退货并处罚")
    assert done.status_code == 200 and done.json()["status"] == "concluded"
    status = client.get(f"/api/v1/cases/{number}").json()
    assert status["outcome_label"] == "属实，已依法处理" and status["due"] is None
    assert "属实，已依法处理" in client.get(f"/cases/{number}").text


def test_bad_filings_are_refused_naming_the_field_and_nothing_is_stored(client, platform):
    refused(client, platform, filing(facts=""), 422, "facts")
    refused(client, platform, filing(contact=None), 422, "contact")  # a complaint needs someone to answer
    refused(client, platform, filing(anonymous=True), 422, "contact")
    refused(client, platform, filing(category="nonsense"), 422, "category")
    refused(client, platform, filing(subject_key="91210504MA0XK4E22X"), 422, "subject_key")
    refused(client, platform, filing(subject_key="91350100M000100Y43"), 404, "subject_key")  # valid, unknown here
    refused(client, platform, filing(subject_type="shop"), 422, "subject_key")  # a shop is named by its mark id
    refused(client, platform, filing(subject_type="shop", subject_key="LZAAAAAAAAAAAA"), 404, "subject_key")
    refused(client, platform, filing(contact={"name": "张三", "phone": "abc"}), 422, "contact.phone")


def test_an_anonymous_report_is_accepted_and_has_no_contact(client, platform):
    answer = file(client, kind="report", anonymous=True, contact=None, category="unlicensed",
                  facts="该公司在新明路另设门店无照经营。")
    assert answer.status_code == 201, answer.text
    full = client.get(f"/api/v1/complaints/{answer.json()['number']}", headers=reviewer(platform, SCJG)).json()
    assert full["anonymous"] is True and full["contact"] is None and full["complaint_kind_label"] == "举报"


def test_the_firm_complained_about_cannot_read_the_complaint(client, platform):
    number = file(client).json()["number"]
    csrf = activate(client, platform)  # the subject's own firm account
    answer = client.get(f"/api/v1/complaints/{number}", headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 403 and PHONE not in answer.text


def test_a_client_filing_too_often_is_told_to_wait(client, platform):
    answers = [file(client, facts=f"第{n}次：水泥不合格。").status_code for n in range(6)]
    assert answers[:5] == [201] * 5 and answers[5] == 429


def test_the_department_sees_its_complaints_overdue_first(client, platform):
    number = file(client).json()["number"]
    listed = client.get("/api/v1/complaints", headers=reviewer(platform, SCJG)).json()
    assert [c["number"] for c in listed["cases"]] == [number] and PHONE not in str(listed)
    assert client.get("/api/v1/complaints", headers=reviewer(platform, JTYS)).json()["count"] == 0


def test_the_public_sees_statistics_per_category_and_department_but_no_case(client, platform):
    number = file(client).json()["number"]
    file(client, kind="report", anonymous=True, contact=None, category="road_transport", facts="超载运输。")
    scjg = reviewer(platform, SCJG)
    for name, body in (("acknowledge", {}), ("accept", {}),
                       ("conclude", {"outcome": "substantiated", "reason": "属实，已处罚"})):
        client.post(f"/api/v1/complaints/{number}/{name}", json=body, headers=scjg)
    stats = client.get("/api/v1/complaints/statistics").json()
    by = {(r["category"], r["department"]): r for r in stats["rows"]}
    assert by[("product_quality", SCJG)] | {} == {**by[("product_quality", SCJG)], "filed": 1, "closed": 1,
                                                 "closed_on_time": 1, "upheld": 1, "on_time_rate": 1.0}
    assert by[("road_transport", JTYS)]["open"] == 1 and stats["totals"]["filed"] == 2
    page = client.get("/complaints/statistics").text
    assert "产品质量" in page and "100.0%" in page and PHONE not in page and number not in page


def test_the_complaint_statistics_dataset_counts_by_month_kind_category_and_department_reproducibly(client, platform):
    number = file(client).json()["number"]
    assert file(client, kind="report", contact=None, facts="该企业无证经营。", category="unlicensed").status_code == 201
    scjg, jtys = reviewer(platform, SCJG), reviewer(platform, JTYS)
    client.post(f"/api/v1/complaints/{number}/transfer", json={"to_department": JTYS, "reason": "转交通运输局"},
                headers=scjg)
    for name in ("acknowledge", "accept"):
        assert client.post(f"/api/v1/complaints/{number}/{name}", json={}, headers=jtys).status_code == 200
    before = platform.ledger.position()
    done = client.post(f"/api/v1/complaints/{number}/conclude", json={"outcome": "substantiated", "reason": "已处罚"},
                       headers=jtys)
    assert done.status_code == 200, done.text
    rows = {(r["complaint_kind"], r["category"], r["department_code"]): r for r in dataset_csv(client, "complaint-statistics")}
    assert set(rows) == {("complaint", "product_quality", JTYS), ("report", "unlicensed", SCJG)}  # counted where it is
    concluded = rows["complaint", "product_quality", JTYS]
    assert (concluded["month"], concluded["category_name"], concluded["department_name"]) == (
        "2026-11", "产品质量", "本溪市交通运输局")
    counts = ("filed", "open", "concluded", "concluded_on_time", "upheld")
    assert [concluded[k] for k in counts] == ["1", "0", "1", "1", "1"]
    report = rows["report", "unlicensed", SCJG]
    assert (report["complaint_kind_name"], report["filed"], report["open"], report["upheld"]) == ("举报", "1", "1", "0")
    text = str(rows)
    assert PHONE not in text and "张三" not in text and COMPANY not in text and number not in text
    pinned = {(r["complaint_kind"], r["category"]): r for r in dataset_csv(client, "complaint-statistics", before)}
    assert [pinned["complaint", "product_quality"][k] for k in ("open", "concluded", "upheld")] == ["1", "0", "0"]


def test_a_complaint_about_an_online_shop_by_its_mark_goes_to_its_operator_with_the_shop_attached(client, platform):
    from tests.online_support import PLATFORM, SHOP

    platform.online.declare(COMPANY, SHOP, platform.clock(), "test")
    platform.online.submit_list(PLATFORM["operator_code"], [{**SHOP, "credit_code": COMPANY}], platform.clock(),
                                "test")
    [(mark_id,)] = platform.views_db.execute("SELECT mark_id FROM v_marks")
    answer = file(client, subject_type="shop", subject_key=mark_id.lower(), category="online_trade",
                  facts="网店宣传的“纯羊毛”实为化纤，属虚假宣传。")
    assert answer.status_code == 201, answer.text
    full = client.get(f"/api/v1/complaints/{answer.json()['number']}", headers=reviewer(platform, SCJG)).json()
    assert full["credit_code"] == COMPANY and full["subject_type"] == "shop"
    assert full["subject_key"] == f"shop:{PLATFORM['key']}:{SHOP['shop_id']}"
    page = client.get(f"/marks/{mark_id}").text
    assert f"subject_key={mark_id}" in page and "投诉该网店" in page
