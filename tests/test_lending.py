"""信易贷 over real HTTP, on SQLite and PostgreSQL: consents, the lender's fuller report, refusals recorded."""
from __future__ import annotations

import pytest

from tests.casework import OTHER_COMPANY, activate
from tests.lending_support import BANK, OTHER_BANK, UNREGISTERED, grant, lender_headers, register_lenders
from tests.portal import client, submit
from tests.records import COMPANY, entity, penalty


@pytest.fixture
def firm(platform):
    """A registered firm with a penalty past its publicity (decided 2022), one in publicity, and two lenders."""
    submit(platform, entity(), penalty(1, decision_date="2022-03-01"), penalty(2, decision_date="2026-03-02"),
           entity(credit_code=OTHER_COMPANY, name="福州某某贸易有限公司", district_code="210502"))
    register_lenders(platform)
    return platform


def test_with_consent_the_lender_reads_the_fuller_report_and_the_firm_sees_the_read(firm):
    with client(firm) as c:
        csrf = activate(c, firm)
        granted = grant(c, csrf)
        assert granted.status_code == 201, granted.text
        consent = granted.json()
        assert consent["status"] == "granted" and consent["lender_name"] == "本溪银行股份有限公司"
        headers = lender_headers(firm)
        answer = c.get(f"/api/v1/lender/reports/{COMPANY}", headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        public_docs = [i["document_number"] for i in body["lender_report"]["report"]["records"]["penalties"]["items"]]
        assert public_docs == ["本市监罚〔2024〕2号"]  # the public part is the public report's
        beyond = body["lender_report"]["beyond_public"]["penalty_after_publicity"]["items"]
        assert [i["document_number"] for i in beyond] == ["本市监罚〔2024〕1号"]  # past publicity, within 5 years
        assert body["lender_report"]["grade"]["grade"] in "ABCD"
        assert body["lender_report"]["financing_check"]["business"] == "financing"
        assert body["read"]["consent_id"] == consent["consent_id"] and body["signature"]["algorithm"] == "Ed25519"
        assert "11010519491231002X" not in answer.text and "13812345678" not in answer.text
        seen = c.get("/api/v1/consents").json()
        [read] = seen["reads"]
        assert read["outcome"] == "served" and read["consent_id"] == consent["consent_id"]
        assert read["lender_code"] == BANK and read["gist"]["beyond_public"]["penalty_after_publicity"] == 1
        page = c.get("/firm/consents")
        assert "本溪银行股份有限公司" in page.text and "已查阅" in page.text


def test_without_consent_the_lender_is_refused_nothing_disclosed_and_the_firm_sees_the_attempt(firm):
    with client(firm) as c:
        answer = c.get(f"/api/v1/lender/reports/{COMPANY}", headers=lender_headers(firm))
        assert answer.status_code == 403
        error = answer.json()["error"]
        assert error["field"] == "consent" and error["code"] == "no_consent" and "授权" in error["message_zh"]
        assert "恒达" not in answer.text and "本市监罚" not in answer.text
        activate(c, firm)
        [read] = c.get("/api/v1/consents").json()["reads"]
        assert read["outcome"] == "refused" and read["reason"] == "no_consent" and read["consent_id"] is None
        assert "已拒绝" in c.get("/firm/consents").text


def test_a_revoked_or_expired_consent_refuses_and_says_which(firm):
    with client(firm) as c:
        csrf = activate(c, firm)
        consent = grant(c, csrf).json()
        headers = lender_headers(firm)
        revoked = c.post(f"/api/v1/consents/{consent['consent_id']}/revoke", headers={"X-CSRF-Token": csrf})
        assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
        again = c.post(f"/api/v1/consents/{consent['consent_id']}/revoke", headers={"X-CSRF-Token": csrf})
        assert again.status_code == 409 and again.json()["error"]["field"] == "consent"
        refused = c.get(f"/api/v1/lender/reports/{COMPANY}", headers=headers)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "revoked"
        short = grant(c, csrf, valid_until="2026-11-30").json()
        firm.today = firm.today.replace(day=30)
        assert c.get(f"/api/v1/lender/reports/{COMPANY}", headers=headers).status_code == 200
        firm.today = firm.today.replace(month=12, day=1)
        expired = c.get(f"/api/v1/lender/reports/{COMPANY}", headers=headers)
        assert expired.status_code == 403 and expired.json()["error"]["code"] == "expired"
        cited = c.get(f"/api/v1/lender/reports/{COMPANY}?consent={short['consent_id']}", headers=headers)
        assert cited.status_code == 403 and cited.json()["error"]["code"] == "expired"
        reasons = [r["reason"] for r in c.get("/api/v1/consents").json()["reads"]]
        assert reasons == ["expired", "expired", None, "revoked"]


def test_a_consent_cited_for_another_firm_or_by_another_lender_discloses_nothing(firm):
    with client(firm) as c:
        consent = grant(c, activate(c, firm)).json()
        other_firm = c.get(f"/api/v1/lender/reports/{OTHER_COMPANY}?consent={consent['consent_id']}",
                           headers=lender_headers(firm))
        assert other_firm.status_code == 403 and other_firm.json()["error"]["code"] == "other_firm"
        assert "福州" not in other_firm.text
        other_lender = c.get(f"/api/v1/lender/reports/{COMPANY}?consent={consent['consent_id']}",
                             headers=lender_headers(firm, OTHER_BANK))
        assert other_lender.status_code == 403 and other_lender.json()["error"]["code"] == "other_lender"
        reads = c.get("/api/v1/consents").json()["reads"]
        assert [(r["lender_code"], r["consent_id"]) for r in reads] == [(OTHER_BANK, None)]  # its own firm's only


def test_bad_consents_are_refused_naming_the_field_and_nothing_is_stored(firm):
    with client(firm) as c:
        csrf = activate(c, firm)
        position = firm.ledger.position()
        cases = [({"valid_until": "2027-11-25"}, 422, "valid_until"),  # a year and a day
                 ({"valid_from": "2026-11-24"}, 422, "valid_from"),
                 ({"purpose": "marketing"}, 422, "purpose"),
                 ({"lender_code": UNREGISTERED}, 404, "lender_code"),
                 ({"lender_code": "91210500MA0BK0019X"}, 422, "lender_code"),
                 ({"credit_code": OTHER_COMPANY}, 403, "credit_code")]
        for fields, status, field in cases:
            answer = grant(c, csrf, **fields)
            assert answer.status_code == status, (fields, answer.text)
            error = answer.json()["error"]
            assert error["field"] == field and error["message_zh"] and error["message_en"], fields
        assert grant(c, "wrong").status_code == 403
        assert grant(c, csrf, valid_until="2027-11-24").status_code == 201  # exactly the maximum
        assert firm.ledger.position() == position + 1


def test_only_registered_lenders_read_and_a_firm_cannot_use_the_lender_api(firm):
    with client(firm) as c:
        csrf = activate(c, firm)
        assert c.get(f"/api/v1/lender/reports/{COMPANY}").status_code == 401  # a firm's session is no lender
        assert c.get(f"/api/v1/lender/reports/{COMPANY}", headers=lender_headers(firm, UNREGISTERED)).json()[
            "error"]["field"] == "lender"
        bad = c.get("/api/v1/lender/reports/not-a-code", headers=lender_headers(firm))
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "credit_code"
        reviewer = {"Authorization": f"Bearer {firm.tokens.create(department=BANK, role='reviewer')}"}
        assert c.get(f"/api/v1/lender/reports/{COMPANY}", headers=reviewer).status_code == 403
        lender_token = lender_headers(firm)
        assert c.post("/api/v1/consents", json={}, headers=lender_token).status_code == 403
        assert c.post("/api/v1/repairs", data={}, headers=lender_token).status_code in (401, 403)
        assert csrf
