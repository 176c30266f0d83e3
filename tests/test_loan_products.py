"""Credit loan products over real HTTP: lenders publish, the public lists, a firm sees why it is (not) eligible,
applies with a consent carried along, the lender decides, and the counts are the financing-statistics dataset."""
from __future__ import annotations

import pytest

from tests.casework import PASSWORD, activate, csrf_of
from tests.lending_support import BANK, OTHER_BANK, PRODUCT, lender_headers, register_lenders
from tests.portal import client, dataset_csv, submit
from tests.records import COMPANY, entity, penalty


@pytest.fixture
def market(platform):
    submit(platform, entity(established="2025-06-18"), penalty(2, decision_date="2026-03-02"))
    register_lenders(platform)
    return platform


def _publish(c, platform, product=PRODUCT, code=BANK):
    answer = c.post("/api/v1/lender/products", json=product, headers=lender_headers(platform, code))
    assert answer.status_code in (200, 201), answer.text
    return answer.json()["product_id"]


def test_products_are_public_and_a_firm_sees_why_it_is_not_eligible(market):
    with client(market) as c:
        strict = _publish(c, market)
        open_to_all = _publish(c, market, {**PRODUCT, "code": "CY-02", "name": "创业贷", "eligibility": {}}, OTHER_BANK)
        listed = c.get("/api/v1/finance/products").json()
        assert {p["name"] for p in listed["products"]} == {"税信贷", "创业贷"}
        assert "税信贷" in c.get("/finance/products").text
        activate(c, market)
        by_id = {p["product_id"]: p for p in c.get("/api/v1/finance/eligibility").json()["products"]}
        assert by_id[open_to_all]["eligible"] and not by_id[open_to_all]["reasons"]
        assert not by_id[strict]["eligible"]
        assert [r["condition"] for r in by_id[strict]["reasons"]] == ["min_years_in_business"]  # founded 2025
        assert "成立满 2 年" in c.get("/firm/finance").text


def test_an_application_carries_a_consent_and_the_lender_may_read_then_decide(market):
    with client(market) as c:
        product = _publish(c, market, {**PRODUCT, "eligibility": {"grades": ["A", "B", "C", "D"]}})
        csrf = activate(c, market)
        applied = c.post("/api/v1/loan-applications", json={"product_id": product, "amount": 50, "term_months": 12},
                         headers={"X-CSRF-Token": csrf})
        assert applied.status_code == 201, applied.text
        consents = c.get("/api/v1/consents").json()["consents"]
        assert [(x["lender_code"], x["application"], x["status"]) for x in consents] == [
            (BANK, applied.json()["application_id"], "granted")]
        headers = lender_headers(market)
        assert c.get(f"/api/v1/lender/reports/{COMPANY}", headers=headers).status_code == 200
        [mine] = c.get("/api/v1/loan-applications", headers=headers).json()["applications"]
        decided = c.post(f"/api/v1/loan-applications/{mine['application_id']}/decide",
                         json={"decision": "granted", "amount": 40}, headers=headers)
        assert decided.status_code == 200, decided.text
        again = c.post(f"/api/v1/loan-applications/{mine['application_id']}/decide", json={"decision": "declined"},
                       headers=headers)
        assert again.status_code == 409
        other = c.post(f"/api/v1/loan-applications/{mine['application_id']}/decide", json={"decision": "declined"},
                       headers=lender_headers(market, OTHER_BANK))
        assert other.status_code == 403 and other.json()["error"]["field"] == "application"
        before = market.ledger.position()
        [row] = dataset_csv(c, "financing-statistics")
        assert row["product_name"] == "税信贷" and row["lender_code"] == BANK and row["month"] == "2026-11"
        assert (row["applications"], row["granted"], row["pending"], float(row["granted_amount"])) == ("1", "1", "0", 40)
        assert COMPANY not in str(row) and "恒达" not in str(row)
        [pinned] = dataset_csv(c, "financing-statistics", before - 1)  # before the decision: still pending, forever
        assert (pinned["granted"], pinned["pending"]) == ("0", "1")


def test_bad_products_and_applications_name_the_field_and_store_nothing(market):
    with client(market) as c:
        headers = lender_headers(market)
        position = market.ledger.position()
        for body, field in (({**PRODUCT, "amount": {"min": 500, "max": 100}}, "amount.min"),
                            ({**PRODUCT, "rate_percent": {"min": 1, "max": 99}}, "rate_percent.max"),
                            ({k: v for k, v in PRODUCT.items() if k != "name"}, "name"),
                            ({**PRODUCT, "eligibility": {"grades": ["E"]}}, "eligibility.grades[0]")):
            answer = c.post("/api/v1/lender/products", json=body, headers=headers)
            assert answer.status_code == 422 and answer.json()["error"]["field"] == field, answer.text
        assert market.ledger.position() == position
        product = _publish(c, market)
        csrf = activate(c, market)
        position = market.ledger.position()
        for body, status, field in (({"product_id": product, "amount": 50, "term_months": 12}, 409, "eligibility"),
                                    ({"product_id": product, "amount": 5000, "term_months": 12}, 422, "amount"),
                                    ({"product_id": "00000000-0000-0000-0000-000000000000", "amount": 50,
                                      "term_months": 12}, 422, "product_id"),
                                    ({"amount": 50, "term_months": 12}, 422, "product_id")):
            answer = c.post("/api/v1/loan-applications", json=body, headers={"X-CSRF-Token": csrf})
            assert answer.status_code == status and answer.json()["error"]["field"] == field, answer.text
        assert market.ledger.position() == position  # neither an application nor its consent
        assert c.post("/api/v1/lender/products", json=PRODUCT).status_code == 401  # a firm is no lender


def _desk(c, platform, code=BANK):
    """The lender's desk in a browser session: activated like a firm's account, then signed in at /lender/login."""
    activate(c, platform, code)
    c.post("/logout", data={"csrf": csrf_of(c.get("/firm").text)})
    page = c.get("/lender/login")
    answer = c.post("/lender/login", data={"csrf": csrf_of(page.text), "credit_code": code, "password": PASSWORD},
                    follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return csrf_of(c.get("/lender").text)


def test_the_lender_publishes_withdraws_and_decides_at_its_desk_and_bad_forms_name_the_field(market):
    form = {"code": "XYD-02", "name": "科技贷", "amount.min": "10", "amount.max": "200", "term_months.min": "6",
            "term_months.max": "24", "rate_percent.min": "3.2", "rate_percent.max": "4.8",
            "eligibility.grades": ["A", "B"], "eligibility.min_years_in_business": "1"}
    with client(market) as c:
        csrf = _desk(c, market)
        position = market.ledger.position()
        bad = c.post("/lender/products", data={**form, "csrf": csrf, "amount.min": "500"})
        assert bad.status_code == 422 and 'data-code="' in bad.text and "amount.min" in bad.text
        assert 'value="科技贷"' in bad.text  # the form comes back as typed
        assert market.ledger.position() == position
        done = c.post("/lender/products", data={**form, "csrf": csrf}, follow_redirects=False)
        assert done.status_code == 303 and "published=1" in done.headers["location"]
        [product] = c.get("/api/v1/finance/products").json()["products"]
        assert (product["name"], product["amount"]) == ("科技贷", {"min": 10, "max": 200})
        assert product["eligibility"]["grades"] == ["A", "B"]
        desk = c.get("/lender").text
        assert "科技贷（XYD-02，在售）" in desk
        c.post("/logout", data={"csrf": csrf})

        firm_csrf = activate(c, market, COMPANY)
        applied = c.post("/api/v1/loan-applications", json={"product_id": product["product_id"], "amount": 60,
                                                            "term_months": 12}, headers={"X-CSRF-Token": firm_csrf})
        assert applied.status_code == 201, applied.text
        application = applied.json()["application_id"]
        c.post("/logout", data={"csrf": firm_csrf})

        page = c.get("/lender/login")
        c.post("/lender/login", data={"csrf": csrf_of(page.text), "credit_code": BANK, "password": PASSWORD})
        csrf = csrf_of(c.get("/lender").text)
        assert 'data-status="submitted"' in c.get("/lender").text and "审查中" in c.get("/lender").text
        refused = c.post(f"/lender/applications/{application}/decide", data={"csrf": csrf, "decision": "granted",
                                                                           "amount": "-5"})
        assert refused.status_code == 422 and "amount" in refused.text
        granted = c.post(f"/lender/applications/{application}/decide",
                         data={"csrf": csrf, "decision": "granted", "amount": "50", "note": "按五十万元放款"},
                         follow_redirects=False)
        assert granted.status_code == 303 and "decided=granted" in granted.headers["location"]
        assert "已放款（50.0 万元）" in c.get("/lender").text
        withdrawn = c.post(f"/lender/products/{product['product_id']}/withdraw", data={"csrf": csrf},
                           follow_redirects=False)
        assert withdrawn.status_code == 303
        assert c.get("/api/v1/finance/products").json()["products"] == []
        assert c.post("/lender/products", data={**form, "csrf": "forged"}).status_code == 403
