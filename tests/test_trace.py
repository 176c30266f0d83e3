"""Product traceability over real HTTP, on SQLite and PostgreSQL: batches registered with a checked code, every
movement by the entity that performs it with quantities conserved, tests and recalls by the regulating department
reaching every downstream holder, the public query (page, JSON, SMS text, QR), the producer's profile, complaints
by code, and bad input refused naming the field with nothing stored."""
from __future__ import annotations

import csv
import io
import random
from typing import Any

import pytest
from starlette.testclient import TestClient

from domain import trace_codes
from domain.codes import make_credit_code
from tests.casework import activate
from tests.records import COMPANY, SCJG, entity
from web.app import create_app

WHOLESALER = make_credit_code("91", "210502", "MA0YT1R2")
MARKET = make_credit_code("91", "210503", "MA0YT2M4")
OUTSIDE = make_credit_code("91", "110105", "MA01ABC3")  # a buyer registered in Beijing: a valid code, not on file
NYNC = "11210500003114185E"


@pytest.fixture
def client(platform):
    platform.records.submit([entity(name="本溪市明山区恒达肉类加工有限公司"),
                             entity(credit_code=WHOLESALER, name="本溪市平山区鑫源农产品批发有限公司", district_code="210502"),
                             entity(credit_code=MARKET, name="本溪市溪湖区惠民超市有限公司", district_code="210503")],
                            department=SCJG, submitter="test")
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def regulator(platform) -> dict[str, str]:
    return {"Authorization": f"Bearer {platform.tokens.create(department=SCJG, role='submitter')}"}


@pytest.fixture
def firm(client, platform) -> dict[str, str]:
    """The producer's browser session (its CSRF token as the API wants it)."""
    return {"X-CSRF-Token": activate(client, platform)}


def pork(**overrides: Any) -> dict[str, Any]:
    return {"registrant": COMPANY, "batch_number": "SZ20261120-01", "product_name": "冷鲜猪肉（白条）",
            "category": "meat", "origin": {"place": "辽宁省本溪市桓仁满族自治县", "site": "桓仁县向阳生猪养殖场",
                                           "quarantine_certificate": "2102112026112000017"},
            "produced_on": "2026-11-20", "quantity": 1200, "unit": "kg", "shelf_life_days": 7, **overrides}


def register(client: TestClient, headers: dict[str, str], **overrides: Any) -> str:
    answer = client.post("/api/v1/trace/batches", headers=headers, json=pork(**overrides))
    assert answer.status_code == 201, answer.text
    return answer.json()["batch"]["code"]


def step(client: TestClient, headers: dict[str, str], code: str, **body: Any) -> Any:
    return client.post(f"/api/v1/trace/batches/{code}/events", headers=headers, json=body)


def ok(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    return answer.json()


def refused(client: TestClient, platform: Any, answer_of: Any, status: int, field: str) -> dict[str, Any]:
    before = platform.ledger.position()
    answer = answer_of()
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["field"] == field and error["message_zh"] and error["message_en"], error
    assert platform.ledger.position() == before
    return error


# -- codes ---------------------------------------------------------------------------------------------------
def test_a_code_is_eleven_characters_and_its_check_character_catches_any_one_mistyped_character():
    rng = random.Random(17)
    alphabet = trace_codes.spec()["alphabet"]
    for n in range(300):
        code = trace_codes.issue(f"key/{n}")
        assert len(code) == 11 and trace_codes.is_valid(code)
        i = rng.randrange(11)
        wrong = code[:i] + rng.choice(alphabet.replace(code[i], "")) + code[i + 1:]
        assert not trace_codes.is_valid(wrong)
        assert code in trace_codes.near_misses(wrong)
    assert trace_codes.issue("key/1") == trace_codes.issue("key/1") != trace_codes.issue("key/1", salt=1)


def test_a_code_is_read_as_typed_from_a_label():
    code = trace_codes.issue("label")
    printed = trace_codes.printed(code)
    assert printed.count("-") == 2 and trace_codes.parse(f" {printed.lower()} ") == code
    looks_alike = code.replace("0", "O").replace("1", "I")
    assert trace_codes.parse(looks_alike) == code


# -- the chain ------------------------------------------------------------------------------------------------
def test_a_batch_goes_from_the_plant_through_the_wholesaler_to_the_shelf_and_the_public_sees_each_step(
        client, platform, firm, regulator):
    code = register(client, firm)
    ok(step(client, firm, code, step="shipped", to=WHOLESALER, quantity=800, on="2026-11-21", place="本溪市明山区"))
    ok(step(client, regulator, code, step="received", by=WHOLESALER, on="2026-11-21"))  # on the wholesaler's behalf
    split = ok(step(client, regulator, code, step="split", by=WHOLESALER, on="2026-11-22",
                    children=[{"quantity": 300, "batch_number": "XY-01"}, {"quantity": 500}]))
    first, second = [b["code"] for b in split["created"]]
    ok(step(client, regulator, first, step="shipped", by=WHOLESALER, to=MARKET, quantity=300, on="2026-11-22"))
    ok(step(client, regulator, first, step="received", by=MARKET, on="2026-11-23"))
    ok(step(client, regulator, first, step="sold", by=MARKET, quantity=120.5, on="2026-11-24"))

    chain = client.get(f"/api/v1/trace/{first}").json()
    assert [s["step"] for s in chain["steps"]] == ["registered", "shipped", "received", "sold"]
    assert chain["parents"] == [{"code": code, "product_name": "冷鲜猪肉（白条）", "quantity": "300",
                                 "printed": trace_codes.printed(code)}]
    assert chain["product"]["origin"]["site"] == "桓仁县向阳生猪养殖场" and chain["product"]["batch_number"] == "XY-01"
    assert chain["holdings"] == {MARKET: "179.5"}
    assert chain["steps"][1]["counterparty"]["name"] == "本溪市溪湖区惠民超市有限公司"
    assert "counterparty" not in chain["steps"][3]  # sold at retail: nobody named
    parent = client.get(f"/api/v1/trace/{code}").json()
    assert parent["holdings"] == {COMPANY: "400"} and [c["code"] for c in parent["children"]] == [first, second]
    assert parent["registrant"]["name"] == "本溪市明山区恒达肉类加工有限公司"

    page = client.get(f"/trace/{first}")
    assert page.status_code == 200 and "本溪市溪湖区惠民超市有限公司" in page.text and "零售" in page.text
    assert 'name="viewport"' in page.text and trace_codes.printed(first) in page.text
    assert client.get(f"/trace/{trace_codes.printed(first).lower()}").status_code == 200
    qr = client.get(f"/trace/{first}.svg")
    assert qr.headers["content-type"] == "image/svg+xml" and b"<svg" in qr.content
    assert client.get(f"/trace/{first}.png").content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/trace", params={"code": trace_codes.printed(first)}, follow_redirects=False).headers[
        "location"] == f"/trace/{first}"


def test_registering_the_same_batch_again_returns_its_code_and_stores_nothing(client, platform, firm):
    code = register(client, firm)
    before = platform.ledger.position()
    again = client.post("/api/v1/trace/batches", headers=firm, json=pork())
    assert again.status_code == 200 and again.json()["batch"]["code"] == code and not again.json()["changed"]
    assert platform.ledger.position() == before
    refused(client, platform, lambda: client.post("/api/v1/trace/batches", headers=firm, json=pork(quantity=5)),
            409, "batch_number")


def test_quantities_are_conserved(client, platform, firm, regulator):
    code = register(client, firm)
    refused(client, platform, lambda: step(client, firm, code, step="shipped", to=WHOLESALER, quantity=1200.5), 409,
            "quantity")
    ok(step(client, firm, code, step="shipped", to=WHOLESALER, quantity=1000))
    refused(client, platform, lambda: step(client, firm, code, step="sold", quantity=201), 409, "quantity")
    refused(client, platform, lambda: step(client, regulator, code, step="received", by=MARKET), 409, "shipment")
    refused(client, platform, lambda: step(client, regulator, code, step="shipped", by=WHOLESALER, to=MARKET,
                                           quantity=1), 409, "quantity")  # shipped to it, not yet received
    refused(client, platform, lambda: step(client, firm, code, step="split", children=[{"quantity": 150},
                                                                                        {"quantity": 51}]), 409,
            "quantity")


def test_processing_consumes_the_inputs_and_the_product_points_back_to_them(client, platform, firm):
    pork_code = register(client, firm)
    salt = register(client, firm, batch_number="YL-07", product_name="食用盐", category="food", quantity=50,
                    origin={"place": "辽宁省大连市"})
    made = ok(step(client, firm, pork_code, step="processed", quantity=200, on="2026-11-23",
                   inputs=[{"code": salt, "quantity": 4}],
                   output={"batch_number": "XC-1123", "product_name": "本溪熏肉", "category": "food", "quantity": 150,
                           "unit": "kg", "shelf_life_days": 30}))
    [output] = made["created"]
    chain = client.get(f"/api/v1/trace/{output['code']}").json()
    assert {p["code"] for p in chain["parents"]} == {pork_code, salt} and chain["holdings"] == {COMPANY: "150"}
    assert client.get(f"/api/v1/trace/{salt}").json()["holdings"] == {COMPANY: "46"}
    refused(client, platform, lambda: step(client, firm, pork_code, step="processed", quantity=1,
                                           output={"batch_number": "XC-1123", "product_name": "本溪熏肉",
                                                   "category": "food", "quantity": 1, "unit": "kg"}),
            409, "output.batch_number")


def test_a_failed_test_and_a_recall_reach_every_downstream_holder_and_the_producers_profile(
        client, platform, firm, regulator):
    code = register(client, firm)
    ok(step(client, firm, code, step="shipped", to=WHOLESALER, quantity=600))
    ok(step(client, regulator, code, step="received", by=WHOLESALER))
    child = ok(step(client, regulator, code, step="split", by=WHOLESALER, children=[{"quantity": 100}]))["created"][0]
    ok(step(client, regulator, child["code"], step="shipped", by=WHOLESALER, to=MARKET, quantity=100))
    ok(step(client, regulator, child["code"], step="received", by=MARKET))

    ok(step(client, regulator, code, step="tested", result="fail", items=["莱克多巴胺"], report_number="BX-JC-2026-0311",
            laboratory="本溪市检验检测认证中心"))
    ok(step(client, regulator, code, step="recalled", document_number="本市监食召〔2026〕3号", reason="检出莱克多巴胺，责令召回"))
    again = step(client, regulator, code, step="recalled", document_number="本市监食召〔2026〕3号", reason="检出莱克多巴胺，责令召回")
    assert again.status_code == 200 and not again.json()["changed"]

    seen = client.get(f"/api/v1/trace/{child['code']}").json()
    assert seen["under_order"] and seen["orders"][0]["via"] == code  # the sub-batch shows its parent's recall
    assert "该产品已被责令召回" in client.get(f"/trace/{child['code']}").text
    recalled_page = client.get(f"/trace/{code}").text  # the recalled batch's page lists whom the recall must reach
    assert "召回范围" in recalled_page and "本溪市溪湖区惠民超市有限公司" in recalled_page
    holders = {h["credit_code"]: h for h in client.get(f"/api/v1/trace/{code}/downstream").json()["holders"]}
    assert set(holders) == {COMPANY, WHOLESALER, MARKET}
    assert holders[MARKET]["holds"] == "100" and holders[WHOLESALER]["did"]["split"] == "100"
    refused(client, platform, lambda: step(client, regulator, child["code"], step="sold", by=MARKET, quantity=1), 409,
            "step")
    ok(step(client, regulator, child["code"], step="returned", by=MARKET, to=WHOLESALER, quantity=100))

    profile = client.get(f"/api/v1/entities/{COMPANY}").json()["product_quality"]
    assert [q["kind"] for q in profile] == ["fail", "recall"] or [q["kind"] for q in profile] == ["recall", "fail"]
    assert {q["document_number"] for q in profile} == {"BX-JC-2026-0311", "本市监食召〔2026〕3号"}
    page = client.get(f"/entities/{COMPANY}").text
    assert "产品质量信息" in page and "莱克多巴胺" in page
    assert client.get(f"/api/v1/entities/{WHOLESALER}").json()["product_quality"] == []  # the producer answers


def test_the_text_answer_fits_an_sms_and_puts_the_recall_first(client, platform, firm, regulator):
    code = register(client, firm, product_name="冷鲜猪肉" * 20)
    for _ in range(12):
        ok(step(client, firm, code, step="sold", quantity=1, place="本溪市明山区新明路农贸市场第十二号摊位" * 2))
    ok(step(client, regulator, code, step="halted", document_number="本市监食停〔2026〕9号", reason="暂停销售待复检" * 20))
    text = client.get(f"/trace/{code}.txt")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert len(text.text) <= 500 and "已责令停止销售" in text.text and text.text.endswith(f"/trace/{code}")


# -- bad input ------------------------------------------------------------------------------------------------
def test_a_mistyped_code_is_caught_by_its_check_character_and_the_nearest_issued_code_is_suggested(
        client, platform, firm):
    code = register(client, firm)
    wrong = code[:5] + ("A" if code[5] != "A" else "B") + code[6:]
    answer = client.get(f"/api/v1/trace/{wrong}")
    assert answer.status_code == 400 and answer.json()["error"]["suggestions"] == [code]
    page = client.get(f"/trace/{wrong}", headers={"accept": "text/html"})
    assert page.status_code == 400 and trace_codes.printed(code) in page.text
    form = client.get("/trace", params={"code": wrong})
    assert form.status_code == 400 and trace_codes.printed(code) in form.text and "校验位" in form.text
    unknown = trace_codes.issue("never registered")
    assert client.get(f"/api/v1/trace/{unknown}").status_code == 404
    assert client.get(f"/trace/{unknown}.txt").status_code == 404
    error = refused(client, platform, lambda: step(client, firm, wrong, step="sold", quantity=1), 404, "code")
    assert error["suggestions"] == [code]


@pytest.mark.parametrize(("body", "status", "field"), [
    (pork(registrant=WHOLESALER), 403, "registrant"),  # a firm registers its own batches only
    (pork(produced_on="2026-12-30"), 422, "produced_on"),
    (pork(quantity=-5), 422, "quantity"),
    (pork(quantity="很多"), 422, "quantity"),
    (pork(category="toys"), 422, "category"),
    (pork(shelf_life_days=None) | {"shelf_life_days": 0}, 422, "shelf_life_days"),
    ({k: v for k, v in pork().items() if k != "origin"}, 422, "origin"),
    (pork(colour="red"), 422, "colour"),  # an unknown field is named
])
def test_a_bad_batch_is_refused_naming_the_field(client, platform, firm, body, status, field):
    refused(client, platform, lambda: client.post("/api/v1/trace/batches", headers=firm, json=body), status, field)


def test_bad_steps_are_refused_naming_the_field(client, platform, firm, regulator):
    code = register(client, firm)
    cases = [
        (dict(step="shipped", to="91210502MA0YT1R2XX", quantity=1), 422, "to"),  # not a valid credit code
        (dict(step="shipped", to=WHOLESALER, quantity=1, on="2026-11-19"), 422, "on"),  # before production
        (dict(step="shipped", to=WHOLESALER, quantity=1, by=WHOLESALER), 403, "by"),  # a firm acting for another
        (dict(step="shipped", quantity=1), 422, "to"),
        (dict(step="teleported", quantity=1), 422, "step"),
        (dict(step="sold"), 422, "quantity"),
        (dict(step="tested", result="fail", report_number="R-1"), 422, "items"),
    ]
    for body, status, field in cases:
        refused(client, platform, lambda body=body: step(client, firm, code, **body), status, field)
    refused(client, platform, lambda: step(client, firm, code, step="recalled", document_number="X", reason="理由"),
            403, "department")  # only the regulating department orders a recall
    nync = {"Authorization": f"Bearer {platform.tokens.create(department=NYNC, role='submitter')}"}
    refused(client, platform, lambda: step(client, nync, code, step="recalled", document_number="X", reason="理由"),
            403, "department")  # the agriculture department tests, the market regulator recalls meat
    ok(step(client, firm, code, step="shipped", to=OUTSIDE, quantity=10))  # a buyer elsewhere: valid, not on file
    client.cookies.clear()
    assert client.post("/api/v1/trace/batches", json=pork(batch_number="N")).status_code == 401


def test_a_product_complaint_by_traceability_code_is_about_the_producer(client, platform, firm):
    code = register(client, firm)
    answer = client.post("/api/v1/complaints", json={
        "kind": "complaint", "category": "food_safety", "subject_type": "trace_code",
        "subject_key": trace_codes.printed(code), "facts": "在惠民超市购买的猪肉有异味，已保留小票和照片。",
        "contact": {"name": "李四", "phone": "13912345678"}})
    assert answer.status_code == 201, answer.text
    number = answer.json()["number"]
    case = client.get(f"/api/v1/cases/{number}").json()
    assert case["status"] and "13912345678" not in str(case)
    stored = platform.views_db.query("SELECT credit_code, subject_type, department FROM v_cases WHERE number = ?",
                                     (number,))
    assert stored == [{"credit_code": COMPANY, "subject_type": "trace_code", "department": SCJG}]
    missing = client.post("/api/v1/complaints", json={
        "kind": "report", "category": "food_safety", "subject_type": "trace_code",
        "subject_key": trace_codes.issue("nothing"), "facts": "标签上的追溯码查不到。", "anonymous": True})
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "subject_key"


def test_failed_tests_and_recalls_are_an_open_dataset_pinned_by_position(client, platform, firm, regulator):
    code = register(client, firm)
    ok(step(client, regulator, code, step="tested", result="pass", report_number="BX-JC-1"))  # a pass is not a row
    ok(step(client, regulator, code, step="tested", result="fail", items=["莱克多巴胺", "克伦特罗"], report_number="BX-JC-2"))
    before = platform.ledger.position()
    ok(step(client, regulator, code, step="recalled", document_number="本市监食召〔2026〕3号", reason="检出莱克多巴胺"))
    package = client.get("/api/3/action/package_show", params={"id": "product-quality"}).json()["result"]
    url = next(r["url"] for r in package["resources"] if r["format"] == "CSV")

    def rows(**params: Any) -> list[dict[str, str]]:
        answer = client.get(url, params=params)
        assert answer.status_code == 200, answer.text
        return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))

    now = rows()
    assert [(r["kind"], r["document_number"]) for r in now] == [("fail", "BX-JC-2"), ("recall", "本市监食召〔2026〕3号")]
    assert now[0]["items"] == "莱克多巴胺、克伦特罗" and now[0]["credit_code"] == COMPANY and now[0]["code"] == code
    assert now[0]["public_until"] == "2029-11-25" and now[1]["kind_name"] == "召回"
    assert [r["kind"] for r in rows(as_of=before)] == ["fail"]


def test_a_step_sent_again_under_its_document_number_is_stored_once(client, platform, firm):
    code = register(client, firm)
    body = {"step": "shipped", "to": WHOLESALER, "quantity": 100, "on": "2026-11-21", "reference": "CK-0001"}
    ok(step(client, firm, code, **body))
    before = platform.ledger.position()
    again = step(client, firm, code, **body)
    assert again.status_code == 200 and not again.json()["changed"] and platform.ledger.position() == before
    refused(client, platform, lambda: step(client, firm, code, **{**body, "quantity": 101}), 409, "reference")
    assert client.get(f"/api/v1/trace/{code}").json()["holdings"] == {COMPANY: "1100"}


def test_a_firm_registers_a_batch_and_records_a_shipment_on_its_pages(client, platform, firm):
    csrf = firm["X-CSRF-Token"]
    assert "产品追溯" in client.get("/firm").text
    form = {"csrf": csrf, "batch_number": "WEB-1", "product_name": "冷鲜猪肉", "category": "meat",
            "origin.place": "辽宁省本溪市桓仁满族自治县", "produced_on": "2026-11-20", "quantity": "300", "unit": "kg",
            "shelf_life_days": "7"}
    bad = client.post("/firm/trace/new", data={**form, "quantity": "-3"})
    assert bad.status_code == 422 and "数量应大于0" in bad.text and 'value="WEB-1"' in bad.text
    saved = client.post("/firm/trace/new", data=form, follow_redirects=False)
    assert saved.status_code == 303
    code = saved.headers["location"].split("saved=")[1]
    listed = client.get("/firm/trace").text
    assert trace_codes.printed(code) in listed and "300 千克" in listed
    over = client.post(f"/firm/trace/{code}", data={"csrf": csrf, "step": "shipped", "to": WHOLESALER,
                                                    "quantity": "301"})
    assert over.status_code == 409 and "不能处置" in over.text
    shipped = client.post(f"/firm/trace/{code}", data={"csrf": csrf, "step": "shipped", "to": WHOLESALER,
                                                       "quantity": "120", "on": "2026-11-21", "reference": "CK-7"},
                          follow_redirects=False)
    assert shipped.status_code == 303
    assert client.get(f"/api/v1/trace/{code}").json()["steps"][1]["counterparty"]["credit_code"] == WHOLESALER
    assert client.post("/firm/trace/new", data={**form, "csrf": "wrong"}).status_code == 403
    client.cookies.clear()
    assert client.get("/firm/trace", follow_redirects=False).status_code == 303  # to the login
