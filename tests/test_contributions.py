"""Credit information from society over real HTTP (SQLite and PostgreSQL): a registered contributor reports,
nothing is public until the verifying department confirms it, then the profile shows it as society-sourced with
its provenance; refused reports reach only the auditors; the entity objects through the ordinary objection flow;
track records are public; bad input is refused naming the field, with nothing stored."""
from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from domain.records import record_id
from tests.casework import PASSWORD, activate, csrf_of, reviewer, step
from tests.records import COMPANY, JTYS, SCJG, entity
from web.app import create_app

ASSOCIATION = "51210500MJY826692H"
MEDIA = "91210502MA10XK7B28"


def report(**overrides):
    return {"credit_code": COMPANY, "category": "product_quality", "happened_on": "2026-10-12",
            "summary": "协会会员单位投诉该公司供应的螺纹钢经第三方检测屈服强度不达标。",
            "source": {"type": "association_decision", "title": "本建协〔2026〕8号 行业自律处分决定",
                       "url": "https://www.bxjx.example/notice/8"}, **overrides}


@pytest.fixture
def client(platform):
    platform.records.submit([entity()], department=SCJG, submitter="test")
    platform.contributions.register(ASSOCIATION, "本溪市建材行业协会", "association", platform.clock(), "test")
    platform.contributions.register(MEDIA, "本溪日报社", "media", platform.clock(), "test")
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


def bearer(platform, code=ASSOCIATION):
    token = platform.tokens.create(department=code, role="contributor")
    return {"Authorization": f"Bearer {token}"}


def filed(client, platform, **overrides):
    answer = client.post("/api/v1/contributions", json=report(**overrides), headers=bearer(platform))
    assert answer.status_code == 201, answer.text
    return answer.json()["number"]


def society(client):
    sections = client.get(f"/api/v1/entities/{COMPANY}").json()["sections"]
    return next(s for s in sections if s["tab"] == "society")


def test_a_report_is_public_only_after_the_department_confirms_it_with_its_provenance(client, platform):
    number = filed(client, platform)
    assert number.startswith("SH")
    assert society(client)["total"] == 0 and "螺纹钢" not in client.get(f"/entities/{COMPANY}?tab=society").text
    status = client.get(f"/api/v1/cases/{number}").json()
    assert status["status"] == "submitted" and status["due"] == "2026-12-16"  # 15 working days after 2026-11-25
    mine = client.get("/api/v1/contributions", headers=bearer(platform)).json()["contributions"]
    assert [c["number"] for c in mine] == [number]
    scjg = reviewer(platform, SCJG)
    assert any(c["number"] == number for c in client.get("/api/v1/contributions", headers=scjg).json()["contributions"])
    done = step(client, scjg, "contribution", number, "confirm", reason="经第三方检测报告核实属实")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "confirmed" and done.json()["society_record"]
    section = society(client)
    assert section["total"] == 1
    fields = section["items"][0]["fields"]
    assert fields["origin"] == "社会来源（非政府部门记录）" and fields["contributor_name"] == "本溪市建材行业协会"
    assert fields["contributor_type"] == "行业协会商会" and fields["verification"] == "经第三方检测报告核实属实"
    first = section["items"][0]
    assert first["authority"] == "本溪市市场监督管理局" and first["decision_date"] == "2026-11-25"
    page = client.get(f"/entities/{COMPANY}?tab=society").text
    assert 'id="society-note"' in page and "社会来源" in page and "本溪市建材行业协会" in page
    rid = str(record_id("society_info", SCJG, number))
    assert 'id="provenance"' in client.get(f"/records/{rid}").text
    track = client.get(f"/api/v1/contributors/{ASSOCIATION}").json()
    assert (track["submitted"], track["pending"], track["confirmed"], track["refused"]) == (1, 0, 1, 0)
    assert "本溪市建材行业协会" in client.get("/contributors").text


def test_a_refused_report_is_never_public_and_auditors_see_it_with_the_reason(client, platform):
    number = filed(client, platform)
    refused = step(client, reviewer(platform, SCJG), "contribution", number, "refuse", reason="检测报告系伪造")
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert society(client)["total"] == 0
    public = client.get("/api/v1/contributors").text + client.get("/contributors").text + \
        client.get(f"/api/v1/cases/{number}").text
    assert "螺纹钢" not in public and "检测报告系伪造" not in public
    assert client.get(f"/api/v1/contributors/{ASSOCIATION}").json()["refused"] == 1
    auditor = {"Authorization": f"Bearer {platform.tokens.create(department=None, role='auditor')}"}
    audit = client.get("/api/v1/audit/contributions", headers=auditor).json()
    assert audit["refused"][0]["number"] == number and audit["refused"][0]["reason"] == "检测报告系伪造"
    assert audit["recorded_as"]["position"] > 0
    assert client.get("/api/v1/audit/contributions", headers=bearer(platform)).status_code == 403


def test_the_entity_objects_through_the_objection_flow_and_a_withdrawal_shows_in_the_track_record(client, platform):
    number = filed(client, platform)
    scjg = reviewer(platform, SCJG)
    step(client, scjg, "contribution", number, "confirm")
    rid = str(record_id("society_info", SCJG, number))
    csrf = activate(client, platform)
    assert rid in client.get("/firm").text  # the firm sees it among its records
    objection = client.post("/api/v1/objections", data={"record_id": rid, "grounds": ["wrong"],
                                                         "statement": "检测样品并非本公司产品"},
                            headers={"X-CSRF-Token": csrf})
    assert objection.status_code == 201, objection.text
    case = objection.json()["number"]
    assert objection.json()["department"] == SCJG  # the confirming department decides it
    step(client, scjg, "objection", case, "accept")
    assert society(client)["items"][0]["objection"] is True
    resolved = step(client, scjg, "objection", case, "resolve", outcome="withdrawn", reason="样品来源无法确认")
    assert resolved.status_code == 200, resolved.text
    assert society(client)["total"] == 0
    assert client.get(f"/api/v1/contributors/{ASSOCIATION}").json()["withdrawn"] == 1


def test_society_information_moves_no_grade_and_no_measure(client, platform):
    check = {"Authorization": f"Bearer {platform.tokens.create(department=SCJG, role='submitter')}"}
    before = client.get(f"/api/v1/check?credit_code={COMPANY}", headers=check).json()
    step(client, reviewer(platform, SCJG), "contribution", filed(client, platform), "confirm")
    after = client.get(f"/api/v1/check?credit_code={COMPANY}", headers=check).json()
    same = ("grade", "result", "measures")
    assert [after[k] for k in same] == [before[k] for k in same]
    grade = client.get(f"/api/v1/grades/{COMPANY}", headers=check).json()
    society_indicator = [i for i in grade["explanation"]["indicators"] if i["id"] == "society_info"]
    assert society_indicator and society_indicator[0]["points"] == 0  # listed, weighed 0 by the grading model


def refused(client, platform, body, status, field, headers=None):
    before = platform.ledger.position()
    answer = client.post("/api/v1/contributions", json=body, headers=headers or bearer(platform))
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert field in [e["field"] for e in error.get("errors", [error])], error
    assert error["message_zh"] and error["message_en"]
    assert platform.ledger.position() == before


def test_bad_reports_are_refused_naming_the_field_with_nothing_stored(client, platform):
    refused(client, platform, report(credit_code="91350100M000100Y43"), 404, "credit_code")  # valid, not here
    refused(client, platform, report(credit_code="91210504MA0XK4E22X"), 422, "credit_code")
    refused(client, platform, {k: v for k, v in report().items() if k != "source"}, 422, "source")
    refused(client, platform, report(source={"type": "news_report"}), 422, "source.title")
    refused(client, platform, report(category="gossip"), 422, "category")
    refused(client, platform, report(happened_on="2027-01-01"), 422, "happened_on")
    refused(client, platform, report(credit_code=ASSOCIATION), 422, "credit_code")  # about itself
    filed(client, platform)
    refused(client, platform, report(), 409, "source")  # the same report again
    refused(client, platform, report(), 403, "contributor", headers=bearer(platform, "91210500MA0QXW8N5E"))
    scjg = reviewer(platform, SCJG)
    answer = client.post("/api/v1/contributions", json=report(), headers=scjg)
    assert answer.status_code == 403 and answer.json()["error"]["field"] == "contributor"
    assert client.post("/api/v1/contributions", json=report()).status_code == 401


def test_a_suspended_contributor_cannot_report(client, platform):
    platform.contributions.suspend(ASSOCIATION, "多次报送不实信息", platform.clock(), "test")
    refused(client, platform, report(), 403, "contributor")
    assert client.get(f"/api/v1/contributors/{ASSOCIATION}").json()["status"] == "suspended"
    platform.contributions.reinstate(ASSOCIATION, "整改完成", platform.clock(), "test")
    filed(client, platform)


def test_only_the_verifying_department_decides_and_only_once(client, platform):
    number = filed(client, platform)
    before = platform.ledger.position()
    other = step(client, reviewer(platform, JTYS), "contribution", number, "confirm")
    assert other.status_code == 403 and other.json()["error"]["field"] == "case"
    assert client.get(f"/api/v1/contributions/{number}", headers=reviewer(platform, JTYS)).status_code == 403
    assert client.get(f"/api/v1/contributions/{number}", headers=bearer(platform, MEDIA)).status_code == 403
    no_reason = step(client, reviewer(platform, SCJG), "contribution", number, "refuse")
    assert no_reason.status_code == 422 and no_reason.json()["error"]["field"] == "reason"
    assert platform.ledger.position() == before
    scjg = reviewer(platform, SCJG)
    assert step(client, scjg, "contribution", number, "confirm").status_code == 200
    for name, body in (("confirm", {}), ("refuse", {"reason": "再议"})):
        again = step(client, scjg, "contribution", number, name, **body)
        assert again.status_code == 409 and again.json()["error"]["field"] == "status"
    assert society(client)["total"] == 1


def test_a_department_cannot_submit_society_information_as_a_record(client, platform):
    item = {"kind": "society_info", "party_name": "本溪市明山区恒达建材有限公司", "credit_code": COMPANY,
            "document_number": "SH20261125-AAAAAA", "origin": "社会来源（非政府部门记录）", "category": "tax",
            "summary": "自行报送的社会信息", "happened_on": "2026-10-01", "source_type": "新闻报道",
            "source_title": "某报道",
            "contributor_name": "某协会", "contributor_code": ASSOCIATION, "contributor_type": "行业协会商会",
            "contributed_on": "2026-11-01", "decision_date": "2026-11-02", "public_until": "2029-11-02",
            "authority": "本溪市市场监督管理局", "authority_code": SCJG, "source_unit_code": SCJG}
    before = platform.ledger.position()
    result = platform.records.submit([item], department=SCJG, submitter="test")
    assert result.items[0].status == "rejected"
    assert [e.code for e in result.items[0].errors] == ["contribution_only"]
    assert platform.ledger.position() == before


def test_the_contributors_desk_logs_in_only_registered_contributors_and_shows_their_own_reports(client, platform):
    activate(client, platform)  # a firm account whose code is no contributor
    login = client.get("/contributor/login")
    refused_login = client.post("/contributor/login", data={"csrf": csrf_of(login.text), "credit_code": COMPANY,
                                                            "password": PASSWORD}, follow_redirects=False)
    assert refused_login.status_code == 403 and "不是经市信用办登记的信息报送方" in refused_login.text
    token = platform.accounts.create(ASSOCIATION)
    page = client.get(f"/firm/activate/{token}")
    client.post(f"/firm/activate/{token}", data={"csrf": csrf_of(page.text), "password": PASSWORD,
                                                 "confirm": PASSWORD})
    login = client.get("/contributor/login")
    signed_in = client.post("/contributor/login", data={"csrf": csrf_of(login.text), "credit_code": ASSOCIATION,
                                                         "password": PASSWORD}, follow_redirects=False)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/contributor"
    home = client.get("/contributor")
    form = {"csrf": csrf_of(home.text), "credit_code": COMPANY, "category": "food_safety",
            "happened_on": "2026-11-02",
            "summary": "消费者反映在该店购买的熟食变质，平台抽检菌落总数超标。", "source_type": "platform_record",
            "source_title": "投诉工单 20261102-118"}
    done = client.post("/contributor", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    number = done.headers["location"].split("filed=")[1]
    case = client.get(f"/contributor/cases/{number}")
    assert case.status_code == 200 and "投诉工单 20261102-118" in case.text and "待主管部门核实" in case.text
    other = filed(client, platform, category="tax", source={"type": "news_report", "title": "另一篇报道"})
    step(client, reviewer(platform, SCJG), "contribution", number, "refuse", reason="抽检合格")
    assert "抽检合格" in client.get(f"/contributor/cases/{number}").text  # the contributor learns why
    session_list = client.get("/api/v1/contributions").json()["contributions"]
    assert {c["number"] for c in session_list} == {number, other}
