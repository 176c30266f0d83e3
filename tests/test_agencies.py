"""Credit-service agencies over HTTP: the registry, an agency's file (practitioners without ID numbers, its
code-of-conduct commitment, complaints upheld against it, its market exit), and the open dataset."""
from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from domain.codes import make_credit_code
from tests.casework import reviewer
from tests.records import DEPTS, SCJG, entity
from web.app import create_app

FGW = DEPTS["FGW"]
AGENCY = make_credit_code("91", "210502", "MA0XC900")
ID_NUMBER = "21050219800101123X"


def filing(**overrides):
    return {"kind": "credit_agency", "party_name": "本溪诚信征信服务有限公司", "party_type": "法人及非法人组织",
            "credit_code": AGENCY, "legal_representative": "王磊", "document_number": "本发改信备〔2024〕9号",
            "agency_type": "征信机构", "regulator": "中国人民银行本溪市分行", "business_scope": "企业征信服务",
            "status": "正常经营", "practitioners": ["李娜（信用分析师）"], "practitioner_id_numbers": [ID_NUMBER],
            "decision_date": "2024-03-20", "authority": "本溪市发展和改革委员会", "authority_code": FGW,
            "source_unit_code": FGW, **overrides}


COMMITMENT = {"kind": "commitment", "party_name": "本溪诚信征信服务有限公司", "party_type": "法人及非法人组织",
              "credit_code": AGENCY, "document_number": "本发改诚承〔2024〕9号", "commitment_type": "诚信服务承诺",
              "matter": "信用服务机构诚信服务承诺（行为准则）", "content": "依法合规开展信用服务。",
              "commitment_date": "2024-03-20", "fulfilment": "履约中", "authority": "本溪市发展和改革委员会",
              "authority_code": FGW, "source_unit_code": FGW}


@pytest.fixture
def client(platform):
    platform.records.submit([entity(credit_code=AGENCY, name="本溪诚信征信服务有限公司", district_code="210502"),
                             filing(), COMMITMENT], department=None, submitter="test")
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


def test_the_registry_lists_the_agency_and_its_file_shows_conduct_without_id_numbers(client):
    listed = client.get("/api/v1/agencies").json()["agencies"]
    assert [(a["credit_code"], a["agency_type"], a["status"]) for a in listed] == [(AGENCY, "征信机构", "正常经营")]
    assert client.get("/api/v1/agencies", params={"agency_type": "信用评级机构"}).json()["agencies"] == []
    file = client.get(f"/api/v1/agencies/{AGENCY}").json()
    assert file["agency"]["practitioners"] == ["李娜（信用分析师）"]
    assert [c["fields"]["fulfilment"] for c in file["commitments"]] == ["履约中"]
    for text in (str(file), client.get(f"/agencies/{AGENCY}").text, client.get("/agencies").text):
        assert ID_NUMBER not in text
    assert "诚信服务承诺" in client.get(f"/agencies/{AGENCY}").text


def test_a_complaint_upheld_against_the_agency_appears_on_its_file(client, platform):
    number = client.post("/api/v1/complaints", json={
        "kind": "complaint", "category": "credit_service", "subject_type": "agency", "subject_key": AGENCY,
        "facts": "该机构收费承诺删除失信记录，收费后失联。", "contact": {"name": "赵敏", "phone": "13900001111"}}).json()["number"]
    fgw = reviewer(platform, FGW)
    for name, body in (("acknowledge", {}), ("accept", {}), ("conclude", {"outcome": "substantiated", "reason": "查实"})):
        assert client.post(f"/api/v1/complaints/{number}/{name}", json=body, headers=fgw).status_code == 200
    upheld = client.get(f"/api/v1/agencies/{AGENCY}").json()["upheld_complaints"]
    assert [(c["number"], c["outcome_label"]) for c in upheld] == [(number, "属实，已依法处理")]
    page = client.get(f"/agencies/{AGENCY}").text
    assert "被查实的投诉" in page and "属实，已依法处理" in page and "13900001111" not in page


def test_an_agency_struck_off_shows_its_exit(client, platform):
    platform.records.submit([{**filing(status="已退出市场", exit_date="2026-11-20", exit_reason="违规承诺删除失信记录，注销备案"),
                              "action": "correct", "reason": "注销备案"}], department=None, submitter="test")
    agency = client.get(f"/api/v1/agencies/{AGENCY}").json()["agency"]
    assert agency["status"] == "已退出市场" and agency["exit_date"] == "2026-11-20"
    assert "2026-11-20退出" in client.get(f"/agencies/{AGENCY}").text


def test_an_entity_that_is_not_an_agency_has_no_agency_file(client, platform):
    platform.records.submit([entity()], department=SCJG, submitter="test")
    from tests.records import COMPANY
    assert client.get(f"/api/v1/agencies/{COMPANY}").status_code == 404
    assert client.get("/api/v1/agencies/123").status_code == 400


def test_a_complaint_about_an_agency_must_name_a_registered_one(client, platform):
    platform.records.submit([entity()], department=SCJG, submitter="test")
    from tests.records import COMPANY
    answer = client.post("/api/v1/complaints", json={
        "kind": "complaint", "category": "credit_service", "subject_type": "agency", "subject_key": COMPANY,
        "facts": "收费删除失信记录。", "contact": {"name": "赵敏", "phone": "13900001111"}})
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_an_agency"
