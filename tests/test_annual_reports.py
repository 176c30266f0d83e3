"""Annual reports over real HTTP: a firm files and revises, a department enters paper reports, the public
reads the public part (never a phone or an ID number, only the items the firm chose), bad input is refused
naming the field with nothing stored."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from domain.codes import make_credit_code
from tests.casework import OTHER_COMPANY, activate
from tests.portal import id_numbers_in
from tests.records import COMPANY, JTYS, SCJG, entity
from web.app import create_app

IN_WINDOW = dt.date(2026, 3, 16)  # the 2025 reports' window: 2026-01-01 .. 2026-06-30
PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"
INDIVIDUAL = make_credit_code("92", "210504", "MA0YQ2C4")


def report(**overrides: Any) -> dict[str, Any]:
    body = {
        "year": 2025, "credit_code": COMPANY, "name": "本溪市明山区恒达建材有限公司",
        "address": "辽宁省本溪市明山区新明路12号", "postal_code": "117000", "phone": PHONE,
        "email": "hengda@example.cn", "business_status": "开业", "employees": 23, "has_website": True,
        "online_shops": [{"kind": "网店", "platform": "淘宝", "name": "恒达建材旗舰店", "url": "https://hengda.taobao.com"}],
        "contributions": [{"shareholder": "王建国", "id_number": ID_NUMBER, "subscribed": 300, "subscribed_on": "2015-06-18",
                           "subscribed_form": "货币", "paid_in": 300, "paid_in_on": "2016-01-10", "paid_in_form": "货币"},
                          {"shareholder": "本溪市鑫源投资有限公司", "subscribed": 200, "paid_in": 120.5}],
        "financials": {"total_assets": 1520.3, "total_liabilities": 610, "revenue": 2300, "main_revenue": 2100,
                       "total_profit": 85, "net_profit": 63.75, "tax_paid": 41.2, "owners_equity": 910.3},
        "social_insurance": {"pension": 20, "unemployment": 20, "medical": 21, "injury": 23, "maternity": 20},
        "public_items": ["revenue", "tax_paid", "employees"],
    }
    return {**body, **overrides}


@pytest.fixture
def client(platform):
    platform.today = IN_WINDOW
    platform.records.submit([entity(), entity(credit_code=INDIVIDUAL, name="本溪市明山区李记五金店",
                                              entity_type="个体工商户")], department=SCJG, submitter="test")
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def firm(client, platform) -> dict[str, str]:
    return {"X-CSRF-Token": activate(client, platform)}


def post(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post("/api/v1/annual-reports", json=body, headers=headers)


def test_a_firm_files_its_report_and_the_public_sees_only_the_public_part(client, firm, platform):
    answer = post(client, firm, report())
    assert answer.status_code == 201, answer.text
    assert answer.json()["url"] == f"/api/v1/entities/{COMPANY}/annual-reports/2025"
    public = client.get(f"/api/v1/entities/{COMPANY}/annual-reports/2025").json()["report"]
    assert public["filed_on"] == "2026-03-16" and not public["late"] and public["channel"] == "online"
    shown = public["public"]
    assert shown["financials"] == {"revenue": "2300", "tax_paid": "41.2"}  # only the items the firm chose
    assert set(shown["withheld"]) == {"total_assets", "total_liabilities", "main_revenue", "total_profit",
                                      "net_profit", "owners_equity"}
    assert shown["employees"] == 23 and shown["online_shops"][0]["platform"] == "淘宝"
    assert "phone" not in shown and "id_number" not in shown["contributions"][0]
    for url in (f"/api/v1/entities/{COMPANY}/annual-reports", f"/entities/{COMPANY}/annual-reports",
                f"/entities/{COMPANY}/annual-reports/2025", f"/api/v1/entities/{COMPANY}/annual-reports/2025"):
        text = client.get(url).text
        assert PHONE not in text and ID_NUMBER not in text and not id_numbers_in(text), url
    page = client.get(f"/entities/{COMPANY}/annual-reports/2025").text
    assert "恒达建材旗舰店" in page and "纳税总额" in page and "企业选择不公示的项目" in page and "1520.3" not in page
    assert f'href="/entities/{COMPANY}/annual-reports"' in client.get(f"/entities/{COMPANY}").text


def test_a_revision_within_the_window_is_a_new_version_and_the_page_says_when(client, firm, platform):
    post(client, firm, report())
    platform.today = IN_WINDOW + dt.timedelta(days=20)
    revised = post(client, firm, {**report(employees=25), "action": "revise"})
    assert revised.status_code == 200 and revised.json()["changed"] is True
    public = client.get(f"/api/v1/entities/{COMPANY}/annual-reports/2025").json()["report"]
    assert public["revision"] == 1 and public["revised_on"] == "2026-04-05" and public["public"]["employees"] == 25
    assert "于 2026-04-05 修改" in client.get(f"/entities/{COMPANY}/annual-reports/2025").text
    again = post(client, firm, {**report(employees=25), "action": "revise"})
    assert again.status_code == 200 and again.json()["changed"] is False
    history = platform.ledger.history(platform.annual_reports.report(COMPANY, 2025).id)
    assert [type(e).__name__ for e in history] == ["Filed", "Revised"]  # auditors see every version


def test_as_of_before_the_filing_shows_no_report(client, firm, platform):
    before = platform.ledger.position()
    post(client, firm, report())
    answer = client.get(f"/api/v1/entities/{COMPANY}/annual-reports/2025", params={"as_of": str(before)})
    assert answer.status_code == 404


def refused(client: TestClient, platform: Any, headers: dict[str, str], body: dict[str, Any], status: int,
            field: str) -> dict[str, Any]:
    """POST a bad report: the status, the field named in both languages, and nothing stored."""
    before = platform.ledger.position()
    answer = post(client, headers, body)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert field in [e["field"] for e in error.get("errors", [error])]
    assert error["message_zh"] and error["message_en"]
    assert platform.ledger.position() == before
    return error


def test_bad_reports_are_refused_naming_the_field_and_nothing_is_stored(client, firm, platform):
    refused(client, platform, firm, report(year=2026), 422, "year")  # the year has not ended
    refused(client, platform, firm, report(year=2019), 422, "year")  # beyond the late-filing years
    bad_capital = report(contributions=[{"shareholder": "王建国", "subscribed": 100, "paid_in": 150}])
    error = refused(client, platform, firm, bad_capital, 422, "contributions[0].paid_in")
    assert "实缴出资额" in error["message_zh"]
    refused(client, platform, firm, report(social_insurance={"pension": -3}), 422, "social_insurance.pension")
    refused(client, platform, firm, report(employees=-1), 422, "employees")
    refused(client, platform, firm, report(credit_code=OTHER_COMPANY), 403, "credit_code")
    refused(client, platform, firm, {**report(), "action": "revise"}, 404, "year")  # nothing to revise yet
    assert post(client, firm, report()).status_code == 201
    refused(client, platform, firm, report(), 409, "year")  # a second filing: revise instead


def test_a_report_cannot_be_revised_after_its_window(client, firm, platform):
    post(client, firm, report())
    platform.today = dt.date(2026, 7, 1)
    refused(client, platform, firm, {**report(employees=30), "action": "revise"}, 409, "year")


def test_a_report_filed_after_the_window_is_marked_late(client, firm, platform):
    platform.today = dt.date(2026, 8, 3)
    assert post(client, firm, report()).status_code == 201
    assert client.get(f"/api/v1/entities/{COMPANY}/annual-reports/2025").json()["report"]["late"] is True


def test_the_registration_department_enters_a_paper_report_with_the_day_it_was_received(client, platform):
    token = {"Authorization": f"Bearer {platform.tokens.create(department=SCJG, role='submitter')}"}
    answer = post(client, token, {**report(), "filed_on": "2026-03-02"})
    assert answer.status_code == 201, answer.text
    public = client.get(f"/api/v1/entities/{COMPANY}/annual-reports/2025").json()["report"]
    assert public["channel"] == "paper" and public["filed_on"] == "2026-03-02"
    other = {"Authorization": f"Bearer {platform.tokens.create(department=JTYS, role='submitter')}"}
    refused(client, platform, other, report(year=2024), 403, "credit_code")


def test_an_individual_business_files_the_shorter_form(client, platform):
    token = {"Authorization": f"Bearer {platform.tokens.create(department=SCJG, role='submitter')}"}
    short = {"year": 2025, "credit_code": INDIVIDUAL, "name": "本溪市明山区李记五金店", "operator": "李秀英",
             "phone": "13998765432", "employees": 2, "has_website": False,
             "financials": {"revenue": 36.5, "tax_paid": 0.8}, "public_items": ["revenue"]}
    refused(client, platform, token, {**short, "address": "x"}, 422, "address")  # an enterprise field is unknown here
    assert post(client, token, short).status_code == 201
    public = client.get(f"/api/v1/entities/{INDIVIDUAL}/annual-reports/2025").json()["report"]
    assert public["form"] == "individual" and public["public"]["financials"] == {"revenue": "36.5"}
    assert "13998765432" not in client.get(f"/entities/{INDIVIDUAL}/annual-reports/2025").text


def test_without_a_session_or_token_filing_is_refused(client):
    answer = client.post("/api/v1/annual-reports", json=report())
    assert answer.status_code == 401 and answer.json()["error"]["message_en"]


def test_a_firm_files_and_revises_through_its_pages(client, firm, platform):
    years = client.get("/firm/annual-reports")
    assert years.status_code == 200 and 'id="year-2025"' in years.text and "报送期内" in years.text
    page = client.get("/firm/annual-reports/2025")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    form = {"csrf": csrf, "name": "本溪市明山区恒达建材有限公司", "address": "辽宁省本溪市明山区新明路12号",
            "postal_code": "117000", "phone": PHONE, "business_status": "开业", "employees": "23",
            "has_website": "false", "contributions.0.shareholder": "王建国", "contributions.0.subscribed": "300",
            "contributions.0.paid_in": "400", "financials.revenue": "2300", "public_items": ["revenue"]}
    bad = client.post("/firm/annual-reports/2025", data=form)
    assert bad.status_code == 422 and "实缴出资额" in bad.text and 'value="400"' in bad.text  # kept what was typed
    done = client.post("/firm/annual-reports/2025", data={**form, "contributions.0.paid_in": "300"},
                       follow_redirects=False)
    assert done.status_code == 303
    assert "已于 2026-03-16 报送" in client.get("/firm/annual-reports").text
    public = client.get(f"/api/v1/entities/{COMPANY}/annual-reports/2025").json()["report"]["public"]
    assert public["financials"] == {"revenue": "2300"} and public["contributions"][0]["paid_in"] == "300"
    revised = client.post("/firm/annual-reports/2025", data={**form, "contributions.0.paid_in": "300",
                                                             "employees": "24"}, follow_redirects=False)
    assert revised.status_code == 303
    assert client.get(f"/api/v1/entities/{COMPANY}/annual-reports/2025").json()["report"]["revision"] == 1


def test_auditors_see_every_version_of_a_report_with_its_private_fields(client, firm, platform):
    post(client, firm, report())
    post(client, firm, {**report(employees=26), "action": "revise"})
    auditor = {"Authorization": f"Bearer {platform.tokens.create(department=None, role='auditor')}"}
    history = client.get(f"/api/v1/audit/entities/{COMPANY}/history", headers=auditor)
    assert history.status_code == 200, history.text
    events = [e for e in history.json()["events"] if e["event"].startswith("AnnualReport.")]
    assert [e["event"] for e in events] == ["AnnualReport.Filed", "AnnualReport.Revised"]
    assert events[0]["data"]["fields"]["employees"] == 23 and events[1]["data"]["fields"]["employees"] == 26
    assert events[0]["data"]["fields"]["phone"] == PHONE  # the auditor's view is the whole record
    assert client.get(f"/api/v1/audit/entities/{COMPANY}/history").status_code == 401
