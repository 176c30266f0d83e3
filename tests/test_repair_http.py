"""Credit repair over real HTTP: a firm's pages and API, reviewers' decisions, every public surface."""
from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from tests.casework import (
    OTHER_COMPANY,
    activate,
    apply_repair,
    csrf_of,
    other_penalty,
    public_ids,
    repair_files,
    reviewer,
    rid,
    step,
)
from tests.records import COMPANY, JTYS, SCJG, entity, penalty
from web.app import create_app


@pytest.fixture
def client(platform):
    platform.records.submit([entity(), penalty(1), penalty(2, decision_date="2026-10-01"), other_penalty()],
                    department=SCJG, submitter="test")
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def csrf(client, platform):
    return activate(client, platform)


def test_the_firm_sees_before_any_upload_which_penalty_it_can_repair_today_and_why_not(client, csrf):
    page = client.get("/firm")
    assert page.status_code == 200
    row1 = page.text.split(f'id="record-{rid(1)}"')[1].split("</tr>")[0]
    row2 = page.text.split(f'id="record-{rid(2)}"')[1].split("</tr>")[0]
    assert "今天可以申请" in row1 and f"/firm/records/{rid(1)}/repair" in row1
    assert 'data-code="too_early"' in row2 and "2027-01-01" in row2 and "/repair" not in row2
    assert rid(90) not in page.text  # another firm's penalty is not listed
    form = client.get(f"/firm/records/{rid(2)}/repair")
    assert form.status_code == 200 and 'id="ineligible"' in form.text and 'type="file"' not in form.text
    answer = client.get(f"/api/v1/repairs/eligibility/{rid(2)}")
    assert answer.json()["eligible"] is False and answer.json()["reasons"][0]["code"] == "too_early"


def test_an_ineligible_application_is_refused_with_409_and_stores_nothing(client, csrf, platform):
    before = platform.ledger.position()
    answer = apply_repair(client, csrf, rid(2))
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "too_early" and "2027-01-01" in error["message_zh"] and error["message_en"]
    assert platform.ledger.position() == before
    assert not (platform.settings.home / "uploads").exists()  # refused before any file was stored


def test_whole_journey_apply_accept_approve_and_the_penalty_leaves_every_public_surface(client, csrf, platform):
    assert client.get(f"/api/v1/records/{rid(1)}").status_code == 200
    assert any(r["id"] == rid(1) for s in client.get(f"/api/v1/entities/{COMPANY}").json()["sections"]
               for r in s["items"])
    created = apply_repair(client, csrf, rid(1))
    assert created.status_code == 201, created.text
    case = created.json()
    number = case["number"]
    assert case["status"] == "submitted" and case["due"] == "2026-11-27" and len(case["materials"]) == 2
    assert created.headers["location"] == f"/api/v1/repairs/{number}"
    scjg = reviewer(platform)
    listed = client.get("/api/v1/repairs", headers=scjg).json()["cases"]
    assert [c["number"] for c in listed] == [number]
    assert step(client, scjg, "repair", number, "accept", reason="材料齐全").json()["status"] == "accepted"
    started = time.monotonic()
    approved = step(client, scjg, "repair", number, "approve", reason="已履行处罚决定并作出信用承诺")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    # within one second of the decision the public no longer sees it
    assert client.get(f"/api/v1/records/{rid(1)}").status_code in (404, 410)
    assert time.monotonic() - started < 1.0
    assert rid(1) not in public_ids(platform)
    profile = client.get(f"/api/v1/entities/{COMPANY}").json()
    assert all(r["id"] != rid(1) for s in profile["sections"] for r in s["items"])
    status = client.get(f"/cases/{number}")
    assert status.status_code == 200 and "准予修复" in status.text


def _search_ids(client) -> set[str]:
    return {h["id"] for h in client.get("/api/v1/search", params={"q": "恒达建材"}).json()["hits"]}


def test_an_approved_repair_leaves_search_results_and_a_revoked_one_returns(client, csrf, platform):
    assert rid(1) in _search_ids(client)
    number = apply_repair(client, csrf, rid(1)).json()["number"]
    scjg = reviewer(platform)
    for name in ("accept", "approve"):
        step(client, scjg, "repair", number, name, reason="ok")
    assert rid(1) not in _search_ids(client)
    step(client, scjg, "repair", number, "revoke", reason="承诺书签章系伪造")
    assert rid(1) in _search_ids(client)


def _dataset_documents(client, platform) -> set[str]:
    from publishing.catalog import resource_id

    res = resource_id(platform.opendata.dataset("administrative-penalties"), "csv")
    answer = client.post("/api/3/action/datastore_search", json={"resource_id": res, "limit": 100})
    assert answer.status_code == 200, answer.text
    return {r["document_number"] for r in answer.json()["result"]["records"]}


def test_an_approved_repair_leaves_the_open_dataset(client, csrf, platform):
    assert "本市监罚〔2024〕1号" in _dataset_documents(client, platform)
    number = apply_repair(client, csrf, rid(1)).json()["number"]
    scjg = reviewer(platform)
    for name in ("accept", "approve"):
        step(client, scjg, "repair", number, name, reason="ok")
    assert "本市监罚〔2024〕1号" not in _dataset_documents(client, platform)


def test_the_case_number_shows_the_status_without_login_and_nothing_else(client, csrf, platform):
    number = apply_repair(client, csrf, rid(1)).json()["number"]
    anonymous = TestClient(client.app)
    body = anonymous.get(f"/api/v1/cases/{number}").json()
    assert body["status"] == "submitted" and body["kind"] == "repair"
    assert not {"credit_code", "party_name", "record_id", "document_number", "materials"} & set(body)
    page = anonymous.get(f"/cases?number={number.lower()}")
    assert page.status_code == 200 and "已提交，待受理" in page.text and COMPANY not in page.text
    assert anonymous.get("/cases/XF20261125-AAAAAA").status_code == 404
    assert anonymous.get(f"/api/v1/repairs/{number}").status_code == 401


def test_refused_case_cannot_be_approved_and_the_answer_is_a_bilingual_409(client, csrf, platform):
    number = apply_repair(client, csrf, rid(1)).json()["number"]
    scjg = reviewer(platform)
    assert step(client, scjg, "repair", number, "refuse", reason="承诺书未签章").status_code == 200
    before = platform.ledger.position()
    answer = step(client, scjg, "repair", number, "approve", reason="x")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "invalid_transition" and "不予受理" in answer.json()["error"]["message_zh"]
    assert platform.ledger.position() == before
    fresh = apply_repair(client, csrf, rid(1))
    assert fresh.status_code == 201
    no_reason = step(client, scjg, "repair", fresh.json()["number"], "refuse")
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "reason"


def test_a_second_open_application_for_the_same_record_is_409(client, csrf):
    first = apply_repair(client, csrf, rid(1))
    second = apply_repair(client, csrf, rid(1))
    assert second.status_code == 409 and second.json()["error"]["code"] == "open_case"
    assert first.json()["number"] in second.json()["error"]["message_zh"]


def test_only_the_deciding_departments_reviewer_may_decide(client, csrf, platform):
    number = apply_repair(client, csrf, rid(1)).json()["number"]
    jtys = reviewer(platform, JTYS)
    answer = step(client, jtys, "repair", number, "accept")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "other_department"
    assert client.get(f"/api/v1/repairs/{number}", headers=jtys).status_code == 403
    assert client.get("/api/v1/repairs", headers=jtys).json()["cases"] == []
    submitter = {"Authorization": f"Bearer {platform.tokens.create(department=SCJG, role='submitter')}"}
    assert step(client, submitter, "repair", number, "accept").status_code == 403


def test_a_firm_can_neither_see_nor_act_on_another_firms_case(client, csrf, platform):
    number = apply_repair(client, csrf, rid(1)).json()["number"]
    other = TestClient(client.app)
    other_csrf = activate(other, platform, OTHER_COMPANY)
    assert other.get(f"/api/v1/repairs/{number}").status_code == 403
    assert other.get(f"/firm/cases/{number}").status_code == 403
    assert step(other, {"X-CSRF-Token": other_csrf}, "repair", number, "withdraw").status_code == 403
    assert other.get("/api/v1/repairs").json()["cases"] == []
    assert apply_repair(other, other_csrf, rid(1)).status_code == 403  # not its record either
    assert step(client, {"X-CSRF-Token": csrf}, "repair", number, "accept").status_code == 403  # firms do not decide


def test_writes_with_a_session_need_the_csrf_token(client, csrf):
    answer = apply_repair(client, "wrong-token", rid(1))
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "csrf"


def test_repair_revocation_makes_the_penalty_public_again(client, csrf, platform):
    number = apply_repair(client, csrf, rid(1)).json()["number"]
    scjg = reviewer(platform)
    for name in ("accept", "approve"):
        step(client, scjg, "repair", number, name, reason="ok")
    assert rid(1) not in public_ids(platform)
    revoked = step(client, scjg, "repair", number, "revoke", reason="缴款凭证系伪造")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert rid(1) in public_ids(platform)
    assert client.get(f"/api/v1/records/{rid(1)}").status_code == 200
    again = apply_repair(client, csrf, rid(1))
    assert again.status_code == 409 and again.json()["error"]["code"] == "barred"


def test_the_html_application_form_redirects_to_the_case_page(client, csrf, platform):
    form = client.get(f"/firm/records/{rid(1)}/repair")
    assert 'id="eligible"' in form.text
    answer = client.post(f"/firm/records/{rid(1)}/repair", data={"csrf": csrf_of(form.text), "statement": "已缴清"},
                         files=repair_files(), follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/firm/cases/XF")
    page = client.get(answer.headers["location"])
    assert "已提交，待受理" in page.text and "缴款凭证.pdf" in page.text
    withdrawn = client.post(answer.headers["location"] + "/withdraw", data={"csrf": csrf_of(page.text)},
                            follow_redirects=False)
    assert withdrawn.status_code == 303
    assert "申请人已撤回" in client.get(answer.headers["location"]).text


def test_the_reviewer_pages_flag_overdue_cases_and_decide(client, csrf, platform):
    number = apply_repair(client, csrf, rid(1)).json()["number"]
    token = platform.tokens.create(department=SCJG, role="reviewer")
    desk = TestClient(client.app)
    login = desk.get("/reviewer/login")
    assert desk.post("/reviewer/login", data={"csrf": csrf_of(login.text), "token": token},
                     follow_redirects=False).status_code == 303
    platform.today = platform.today.replace(day=30)  # 25 Nov + 2 working days = 27 Nov: now overdue
    listing = desk.get("/reviewer")
    assert number in listing.text and "已逾期" in listing.text
    assert number in desk.get("/reviewer?overdue=1").text
    page = desk.get(f"/reviewer/cases/{number}")
    assert page.status_code == 200 and "受理" in page.text
    answer = desk.post(f"/reviewer/cases/{number}/accept", data={"csrf": csrf_of(page.text), "reason": ""},
                       follow_redirects=False)
    assert answer.status_code == 303
    assert "已受理，审查中" in desk.get(f"/reviewer/cases/{number}").text
    other = TestClient(client.app)
    jt_login = other.get("/reviewer/login")
    other.post("/reviewer/login", data={"csrf": csrf_of(jt_login.text),
                                        "token": platform.tokens.create(department=JTYS, role="reviewer")})
    assert other.get(f"/reviewer/cases/{number}").status_code == 403
    assert number not in other.get("/reviewer").text
