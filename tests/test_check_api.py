"""The credit-check API over HTTP: answers with reasons, time passing, as_of, and every check in the log."""
from __future__ import annotations

import datetime as dt

import pytest
from starlette.testclient import TestClient

from domain.cases import Actor
from domain.checks import CreditCheck
from domain.inspections import InspectionDraw
from gongshi.platform import Platform
from tests.conftest import TODAY
from tests.records import COMPANY, SCJG, entity, penalty
from tests.supervision_records import OTHER, dishonesty, dishonesty_removal, red, submit
from web.app import create_app

MATERIALS = [{"role": "proof", "sha256": "a" * 64, "content_type": "application/pdf", "size": 10, "name": "收据.pdf"},
             {"role": "commitment", "sha256": "b" * 64, "content_type": "image/png", "size": 10, "name": "承诺书.png"}]


@pytest.fixture
def client(platform):
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def auth(platform):
    token = platform.tokens.create(department=SCJG, role="reviewer", label="审批系统")
    return {"Authorization": f"Bearer {token}"}


def check(client, auth, **query):
    return client.get("/api/v1/check", params=query, headers=auth)


def logged(platform, cls):
    """Every event of one class in the log, decoded, with its position."""
    out = []
    for n in platform.ledger.recorder.select_notifications(0, 10_000):
        event = platform.ledger.mapper.to_domain_event(n)
        if isinstance(event, cls):
            out.append((n.id, event))
    return out


def test_a_check_needs_a_token_of_any_role(client, platform):
    assert client.get("/api/v1/check", params={"credit_code": COMPANY}).status_code == 401
    auditor = platform.tokens.create(department=None, role="auditor")
    assert check(client, {"Authorization": f"Bearer {auditor}"}, credit_code=COMPANY).status_code == 200


def test_court_defaulter_is_restricted_from_subsidies_with_the_triggering_record(client, auth, platform):
    result = submit(platform, entity(), dishonesty(1, list_type="失信被执行人"))
    listing_position = result.items[1].position
    body = check(client, auth, credit_code=COMPANY, measure="subsidy").json()
    assert body["result"] == "restricted" and body["asked_name"] == "财政资金补助"
    assert body["entity"]["name"] == "本溪市明山区恒达建材有限公司" and body["grade"] == "D"
    [measure] = body["measures"]
    assert measure["id"] == "JC-03" and "国发〔2016〕33号" in measure["legal_basis"]
    [trigger] = measure["triggers"]
    assert trigger["record_id"] == result.items[1].record_id and trigger["position"] == listing_position
    assert trigger["leaf_index"] == listing_position - 1 and trigger["until"] == "2028-06-01"


def test_clean_entity_gets_none_and_a_red_list_entity_an_incentive(client, auth, platform):
    submit(platform, entity(), red(1, credit_code=OTHER))
    assert check(client, auth, credit_code=COMPANY, measure="approval").json()["result"] == "none"
    body = check(client, auth, credit_code=OTHER, measure="approval").json()
    assert body["result"] == "incentive" and [m["id"] for m in body["measures"]] == ["JL-01", "JL-02"]


def test_unknown_entity_is_answered_none_and_still_recorded(client, auth, platform):
    body = check(client, auth, credit_code=OTHER, measure="procurement").json()
    assert body["result"] == "none" and body["entity"] is None
    assert [e.credit_code for _, e in logged(platform, CreditCheck.Asked)] == [OTHER]


def test_bad_questions_are_refused_and_not_recorded(client, auth, platform):
    bad_code = check(client, auth, credit_code=COMPANY[:-1] + "0", measure="subsidy")
    assert bad_code.status_code == 400 and bad_code.json()["error"]["field"] == "credit_code"
    unknown = check(client, auth, credit_code=COMPANY, measure="lottery")
    assert unknown.status_code == 400 and "subsidy" in unknown.json()["error"]["choices"]
    assert check(client, auth, credit_code=COMPANY, as_of="99").status_code == 400
    assert logged(platform, CreditCheck.Asked) == []


def test_every_check_is_recorded_in_the_log_with_who_asked_about_whom(client, auth, platform):
    submit(platform, dishonesty(1))
    answer = check(client, auth, credit_code=COMPANY, measure="procurement").json()
    batch = client.post("/api/v1/check", headers=auth, json={"checks": [
        {"credit_code": COMPANY, "measure": "tendering"}, {"credit_code": OTHER, "measure": "JC-09"}]}).json()
    records = logged(platform, CreditCheck.Asked)
    assert [(p, e.credit_code, e.asked) for p, e in records] == [
        (answer["check_position"], COMPANY, "procurement"),
        (batch["results"][0]["check_position"], COMPANY, "tendering"),
        (batch["results"][1]["check_position"], OTHER, "JC-09")]
    token_id = auth["Authorization"].split("_")[1]
    assert {(e.asker, e.role, e.department) for _, e in records} == {(f"token:{token_id}", "reviewer", SCJG)}
    first = records[0][1]
    assert first.answer["result"] == "restricted"
    assert first.answer["measures"][0]["id"] == "JC-01"
    assert first.answer["measures"][0]["records"] == [[answer["measures"][0]["triggers"][0]["record_id"],
                                                       answer["measures"][0]["triggers"][0]["position"]]]
    assert first.moment == answer["as_of"] == {"position": 1, "today": TODAY.isoformat()}


def test_batch_with_one_bad_code_is_refused_whole(client, auth, platform):
    response = client.post("/api/v1/check", headers=auth, json={"checks": [
        {"credit_code": COMPANY}, {"credit_code": "91210504MA0XK4E22X"}]})
    assert response.status_code == 400 and response.json()["error"]["index"] == 1
    assert logged(platform, CreditCheck.Asked) == []


def test_as_of_a_past_position_gives_the_past_answer(client, auth, platform):
    listed = submit(platform, dishonesty(1, decision_date="2025-06-01")).position
    submit(platform, dishonesty_removal(1, decision_date="2026-09-01"))
    assert check(client, auth, credit_code=COMPANY, measure="procurement").json()["result"] == "none"
    past = check(client, auth, credit_code=COMPANY, measure="procurement", as_of=str(listed)).json()
    assert past["result"] == "restricted" and past["as_of"]["position"] == listed


def test_withdrawn_penalty_stops_triggering(client, auth, platform):
    submit(platform, penalty(1, categories=["吊销许可证件"], decision_date="2026-01-10"))
    assert check(client, auth, credit_code=COMPANY, measure="approval").json()["result"] == "restricted"
    submit(platform, {"kind": "penalty", "action": "withdraw", "reason": "复议撤销", "authority_code": SCJG,
                      "document_number": "本市监罚〔2024〕1号", "source_unit_code": SCJG})
    assert check(client, auth, credit_code=COMPANY, measure="approval").json()["result"] == "none"


def test_repaired_penalty_stops_triggering_and_the_grade_recovers(client, auth, platform):
    result = submit(platform, entity(), penalty(1, categories=["罚款", "吊销许可证件"], decision_date="2024-03-01"))
    assert check(client, auth, credit_code=COMPANY, measure="approval").json()["result"] == "restricted"
    assert platform.grades.of(COMPANY)["score"] == 80 - 17 * 0.25  # serious -15, fine band -2, 32 months old
    number, _ = platform.cases.apply_for_repair(Actor.firm(COMPANY), result.items[1].record_id, MATERIALS,
                                                "罚款已缴清，已整改", TODAY)
    reviewer = Actor.reviewer("token:scjg", SCJG)
    for step in ("accept", "approve"):
        platform.cases.step(reviewer, number, step, "", TODAY)
    platform.runner.catch_up()
    assert check(client, auth, credit_code=COMPANY, measure="approval").json()["result"] == "none"
    assert (platform.grades.of(COMPANY)["grade"], platform.grades.of(COMPANY)["score"]) == ("B", 80)


def test_time_passing_ends_listings_and_publicity_windows(platform, settings, auth):
    submit(platform, dishonesty(1, list_type="政府采购严重违法失信", decision_date="2024-01-01"),
           dishonesty(2, list_type="政府采购严重违法失信", decision_date="2023-11-01"),
           penalty(1, categories=["吊销许可证件"], decision_date="2026-01-10", credit_code=OTHER))
    asks = [("procurement", COMPANY), ("approval", OTHER)]

    def answers(today):
        later = Platform(settings, today=today)
        try:
            with TestClient(create_app(later, follow=False)) as c:
                return [check(c, auth, credit_code=code, measure=m).json() for m, code in asks]
        finally:
            later.close()

    now = answers(TODAY)
    assert [a["result"] for a in now] == ["restricted", "restricted"]
    assert [t["document_number"] for t in now[0]["measures"][0]["triggers"]] == ["失信〔2025〕1号"]  # the other expired
    assert now[1]["measures"][0]["until"] == "2029-01-10"
    assert [a["result"] for a in answers(dt.date(2027, 1, 2))] == ["none", "restricted"]
    assert [a["result"] for a in answers(dt.date(2029, 1, 10))] == ["none", "none"]


def test_inspection_draw_is_recorded_and_reproducible(client, auth, platform):
    submit(platform, entity(), entity(credit_code=OTHER, name="本溪市平山区宏图商贸有限公司", district_code="210502"),
           dishonesty(1, credit_code=OTHER))
    drawn = client.post("/api/v1/inspections/draw", headers=auth, json={"seed": "2026-12 双随机"}).json()
    assert drawn["seed"] == "2026-12 双随机" and drawn["population"]["counts"] == {"A": 0, "B": 1, "C": 0, "D": 1}
    assert drawn["drawn"]["counts"] == {"A": 0, "B": 1, "C": 0, "D": 1}  # ceil(5% of 1) = 1, ceil(40% of 1) = 1
    assert [(e["grade"], e["entity_key"]) for e in drawn["entities"]] == [("B", COMPANY), ("D", OTHER)]
    [(position, event)] = logged(platform, InspectionDraw.Drawn)
    assert position == drawn["draw_position"] and event.seed == "2026-12 双随机"
    again = client.get(f"/api/v1/inspections/{drawn['draw_id']}", headers=auth).json()
    assert again["reproduced"] is True and again["entities"] == drawn["entities"]


def test_the_officials_check_page_answers_with_reasons_and_remembers_the_token(client, auth, platform):
    submit(platform, entity(), dishonesty(1, list_type="失信被执行人"))
    assert "联合奖惩查询" in client.get("/supervision/check").text
    token = auth["Authorization"].removeprefix("Bearer ")
    page = client.post("/supervision/check", data={"credit_code": COMPANY, "measure": "tendering", "token": token})
    assert page.status_code == 200
    assert "限制：适用联合惩戒措施" in page.text and "限制参与招标投标活动" in page.text and "失信〔2025〕1号" in page.text
    again = client.post("/supervision/check", data={"credit_code": COMPANY, "measure": "subsidy"})
    assert "限制申请财政资金补助" in again.text
    assert len(logged(platform, CreditCheck.Asked)) == 2
    client.cookies.clear()
    assert client.post("/supervision/check", data={"credit_code": COMPANY}).status_code == 401
