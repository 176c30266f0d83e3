"""Objections over real HTTP: the flag while under review, each resolution, material requests, refusals."""
from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from tests.casework import PDF, OTHER_COMPANY, activate, csrf_of, other_penalty, public_ids, reviewer, rid, step
from tests.records import JTYS, SCJG, entity, penalty
from web.app import create_app


@pytest.fixture
def client(platform):
    platform.records.submit([entity(), penalty(1), other_penalty()], department=SCJG, submitter="test")
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def csrf(client, platform):
    return activate(client, platform)


@pytest.fixture
def scjg(platform):
    return reviewer(platform)


def raise_objection(client, csrf, record=None, grounds=("wrong",), statement="罚款金额应为1.5万元", files=None):
    return client.post("/api/v1/objections", data={"record_id": record or rid(1), "grounds": list(grounds),
                                                   "statement": statement},
                       files=files or [("evidence", ("缴款记录.pdf", PDF, "application/pdf"))],
                       headers={"X-CSRF-Token": csrf})


def current(platform, record=None):
    return platform.views_db.query("SELECT * FROM v_records WHERE record_id=? AND valid_to IS NULL",
                                   (record or rid(1),))[0]


def accepted(client, csrf, scjg):
    number = raise_objection(client, csrf).json()["number"]
    assert step(client, scjg, "objection", number, "accept").json()["status"] == "accepted"
    return number


def test_an_objection_under_review_flags_the_record_until_it_is_resolved(client, csrf, scjg, platform):
    created = raise_objection(client, csrf)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["number"].startswith("YY") and body["grounds_labels"] == ["信息错误"] and body["due"] == "2026-11-27"
    assert current(platform)["objection"] == 0  # submitted, not yet under review
    step(client, scjg, "objection", body["number"], "accept")
    assert current(platform)["objection"] == 1
    assert "异议处理中" in client.get("/firm").text
    assert "异议处理中" in TestClient(client.app).get(f"/records/{rid(1)}").text  # the public sees it too
    assert TestClient(client.app).get(f"/api/v1/records/{rid(1)}").json()["record"]["objection"] is True
    assert client.get(f"/api/v1/objections/{body['number']}").json()["due"] == "2026-12-09"  # 10 working days
    resolved = step(client, scjg, "objection", body["number"], "resolve", outcome="maintained",
                    reason="经核查，处罚决定书载明金额为2万元，原信息无误")
    assert resolved.status_code == 200 and resolved.json()["outcome"] == "maintained"
    row = current(platform)
    assert row["objection"] == 0 and row["version"] == 3 and json.loads(row["data"])["fine"] == 2
    case_page = client.get(f"/firm/cases/{body['number']}")
    assert "维持原信息" in case_page.text and "原信息无误" in case_page.text  # the firm sees outcome and reasons


def test_corrected_publishes_a_new_version_with_the_reason_and_a_recomputed_window(client, csrf, scjg, platform):
    number = accepted(client, csrf, scjg)
    assert json.loads(current(platform)["publicity"])["max_end"] == "2027-03-01"
    answer = step(client, scjg, "objection", number, "resolve", outcome="corrected", reason="更正处罚决定日期",
                  fields={"decision_date": "2024-04-15"})
    assert answer.status_code == 200, answer.text
    row = current(platform)
    assert row["objection"] == 0 and row["decision_date"] == "2024-04-15"
    assert json.loads(row["publicity"])["max_end"] == "2027-04-15"
    events = platform.views_db.query("SELECT event, reason FROM v_records WHERE record_id=? ORDER BY valid_from",
                                     (rid(1),))
    assert {"event": "corrected", "reason": "更正处罚决定日期"} in events


def test_a_correction_cannot_change_the_records_identity_or_be_invalid(client, csrf, scjg, platform):
    number = accepted(client, csrf, scjg)
    before = platform.ledger.position()
    identity = step(client, scjg, "objection", number, "resolve", outcome="corrected", reason="x",
                    fields={"credit_code": OTHER_COMPANY})
    assert identity.status_code == 422 and identity.json()["error"]["code"] == "identity_field"
    invalid = step(client, scjg, "objection", number, "resolve", outcome="corrected", reason="x",
                   fields={"decision_date": "2099-01-01"})
    assert invalid.status_code == 422 and invalid.json()["error"]["field"] == "decision_date"
    unchanged = step(client, scjg, "objection", number, "resolve", outcome="supplemented", reason="x",
                     fields={"fine": 2})
    assert unchanged.status_code == 422 and unchanged.json()["error"]["code"] == "unchanged"
    assert platform.ledger.position() == before and current(platform)["objection"] == 1


def test_supplemented_adds_the_missing_information_as_a_new_version(client, csrf, scjg, platform):
    number = raise_objection(client, csrf, grounds=["missing"], statement="漏记了法定代表人以外的整改情况").json()["number"]
    step(client, scjg, "objection", number, "accept")
    answer = step(client, scjg, "objection", number, "resolve", outcome="supplemented", reason="补充备注",
                  fields={"remarks": "当事人已于2024年4月完成整改"})
    assert answer.status_code == 200, answer.text
    assert json.loads(current(platform)["data"])["remarks"] == "当事人已于2024年4月完成整改"


def test_withdrawn_takes_the_record_off_every_public_view(client, csrf, scjg, platform):
    number = accepted(client, csrf, scjg)
    assert rid(1) in public_ids(platform)
    answer = step(client, scjg, "objection", number, "resolve", outcome="withdrawn", reason="处罚决定已被复议撤销")
    assert answer.status_code == 200
    assert current(platform)["status"] == "withdrawn" and rid(1) not in public_ids(platform)
    assert client.get(f"/api/v1/records/{rid(1)}").status_code in (404, 410)


def test_a_request_for_material_stops_the_clock_until_the_firm_answers(client, csrf, scjg, platform):
    number = raise_objection(client, csrf).json()["number"]
    sent_back = step(client, scjg, "objection", number, "request_material", reason="请提供缴款凭证原件扫描件")
    assert sent_back.json()["status"] == "needs_material" and sent_back.json()["due"] is None
    assert step(client, scjg, "objection", number, "accept").status_code == 409
    page = client.get(f"/firm/cases/{number}")
    assert "请提供缴款凭证原件扫描件" in page.text and "补充材料" in page.text
    answer = client.post(f"/firm/cases/{number}/material", data={"csrf": csrf_of(page.text), "statement": "已补充"},
                         files=[("evidence", ("凭证.pdf", PDF + b" ", "application/pdf"))], follow_redirects=False)
    assert answer.status_code == 303
    case = client.get(f"/api/v1/objections/{number}").json()
    assert case["status"] == "submitted" and len(case["materials"]) == 2 and case["due"] == "2026-11-27"


def test_not_accepted_needs_a_reason_and_closes_the_case(client, csrf, scjg, platform):
    number = raise_objection(client, csrf).json()["number"]
    assert step(client, scjg, "objection", number, "refuse").status_code == 422
    answer = step(client, scjg, "objection", number, "refuse", reason="异议事项不属于本部门职责")
    assert answer.json()["status"] == "not_accepted" and current(platform)["objection"] == 0
    assert raise_objection(client, csrf).status_code == 201  # the record is free for a new objection


def test_the_firm_may_withdraw_its_objection_and_the_flag_goes(client, csrf, scjg, platform):
    number = accepted(client, csrf, scjg)
    answer = step(client, {"X-CSRF-Token": csrf}, "objection", number, "withdraw")
    assert answer.status_code == 200 and answer.json()["status"] == "withdrawn"
    assert current(platform)["objection"] == 0


def test_invalid_objections_and_transitions_get_clear_4xx(client, csrf, scjg, platform):
    assert raise_objection(client, csrf, grounds=["because"]).status_code == 422
    assert raise_objection(client, csrf, statement=" ").json()["error"]["field"] == "statement"
    assert raise_objection(client, csrf, record=rid(90)).status_code == 403
    number = raise_objection(client, csrf).json()["number"]
    second = raise_objection(client, csrf)
    assert second.status_code == 409 and second.json()["error"]["code"] == "open_case"
    early = step(client, scjg, "objection", number, "resolve", outcome="maintained", reason="x")
    assert early.status_code == 409 and early.json()["error"]["code"] == "invalid_transition"
    assert step(client, reviewer(platform, JTYS), "objection", number, "accept").status_code == 403
    bad = step(client, scjg, "objection", number, "resolve", outcome="deleted", reason="x")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "outcome"
    assert step(client, scjg, "objection", number, "approve").status_code == 422  # not a step of objections
    assert client.get(f"/api/v1/repairs/{number}", headers=scjg).status_code == 404


def test_the_html_objection_form(client, csrf, platform):
    form = client.get(f"/firm/records/{rid(1)}/objection")
    assert form.status_code == 200 and "侵犯商业秘密或个人隐私" in form.text
    answer = client.post(f"/firm/records/{rid(1)}/objection", data={
        "csrf": csrf_of(form.text), "grounds": ["duplicated", "wrong"], "statement": "与本市监罚〔2023〕9号重复"},
        follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/firm/cases/YY")
    page = client.get(answer.headers["location"])
    assert "信息重复、信息错误" in page.text
    refused = client.post(f"/firm/records/{rid(1)}/objection", data={"csrf": csrf_of(form.text), "grounds": "wrong",
                                                                      "statement": "again"})
    assert refused.status_code == 409 and "正在办理的异议" in refused.text
