"""Online presences and the electronic licence mark over real HTTP (SQLite and PostgreSQL): a firm declares, its
platform lists, the mark is issued signed and checked against the referring site, suspended by a dishonesty
listing at the next read; bad input names the field with nothing stored."""
from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from domain import online
from domain.reports import canonical
from tests.casework import OTHER_COMPANY, activate, reviewer
from tests.online_support import OTHER_PLATFORM, PLATFORM, SHOP, SITE, platform_headers
from tests.portal import client, submit
from tests.records import COMPANY, entity
from tests.supervision_records import dishonesty


@pytest.fixture
def market(platform):
    submit(platform, entity(), entity(credit_code=OTHER_COMPANY, name="本溪市平山区福源商贸有限公司",
                                      district_code="210502"))
    return platform


def _declare(c, csrf, body):
    return c.post("/api/v1/online-presences", json=body, headers={"X-CSRF-Token": csrf})


def test_a_shop_declared_and_listed_is_confirmed_with_a_signed_mark_checked_against_the_referrer(market):
    with client(market) as c:
        csrf = activate(c, market)
        declared = _declare(c, csrf, SHOP)
        assert declared.status_code == 201, declared.text
        assert declared.json()["status"] == "declared" and declared.json()["mark_id"] is None
        listed = c.post("/api/v1/online-presences", json={"rows": [{**SHOP, "credit_code": COMPANY}]},
                        headers=platform_headers(market))
        assert listed.status_code == 201 and listed.json()["rows"] == 1, listed.text
        [shop] = c.get(f"/api/v1/entities/{COMPANY}/online-presences").json()["presences"]
        assert shop["status"] == "confirmed" and shop["mark_id"].startswith("LZ")
        assert shop["url"] == "https://mall.benxi-youpin.example/shop/hd-001"
        mark = c.get(f"/api/v1/marks/{shop['mark_id']}", headers={"Referer": shop["url"]}).json()
        assert mark["status"] == "valid" and mark["referrer"]["result"] == "match"
        assert mark["mark"]["credit_code"] == COMPANY and mark["mark"]["presence"]["shop_id"] == "hd-001"
        key = load_pem_public_key(c.get("/api/v1/log/key").text.encode())
        key.verify(base64.b64decode(mark["signature"]["value"]), online.MARK_CONTEXT + canonical(mark["mark"]))
        copied = c.get(f"/marks/{shop['mark_id']}", headers={"Referer": "https://fake-shop.example/item/1"})
        assert copied.status_code == 200 and 'data-referrer="other"' in copied.text
        assert "不是为您刚才所在的网站签发的" in copied.text
        here = c.get(f"/marks/{shop['mark_id']}", headers={"Referer": shop["url"]})
        assert 'data-referrer="match"' in here.text and "恒达建材旗舰店" in here.text
        svg = c.get(f"/marks/{shop['mark_id']}.svg")
        assert svg.headers["content-type"].startswith("image/svg+xml") and "亮照有效" in svg.text
        snippet = c.get(f"/marks/{shop['mark_id']}/embed").text
        assert f"/marks/{shop['mark_id']}.svg" in snippet and 'referrerpolicy="unsafe-url"' in snippet


def test_a_dishonesty_listing_suspends_the_mark_on_every_surface_at_the_next_read(market):
    with client(market) as c:
        csrf = activate(c, market)
        site = _declare(c, csrf, SITE).json()
        assert site["status"] == "confirmed" and site["domain"] == "xn--b0tu3aq7m2m9b.xn--fiqs8s"
        assert site["domain_unicode"] == "恒达建材.中国"
        mark_id = site["mark_id"]
        assert c.get(f"/api/v1/marks/{mark_id}").json()["status"] == "valid"
        assert c.get(f"/api/v1/marks/{mark_id}", headers={"Referer": "https://www.xn--b0tu3aq7m2m9b.xn--fiqs8s/about"}).json()[
            "referrer"]["result"] == "match"
        submit(market, dishonesty(1, decision_date="2026-11-20"))
        answer = c.get(f"/api/v1/marks/{mark_id}").json()
        assert answer["status"] == "suspended" and [r["id"] for r in answer["reasons"]] == ["dishonesty_listing"]
        assert "标识已暂停" in c.get(f"/marks/{mark_id}.svg").text
        assert 'data-status="suspended"' in c.get(f"/marks/{mark_id}").text


def test_a_second_credit_code_claiming_a_shop_is_refused_and_flagged_for_the_regulator(market):
    with client(market) as c:
        csrf = activate(c, market)
        assert _declare(c, csrf, SHOP).status_code == 201
        listed = c.post("/api/v1/online-presences", json={"rows": [{**SHOP, "credit_code": OTHER_COMPANY},
                                                                   {**SHOP, "shop_id": "fy-002", "name": "福源商贸",
                                                                    "credit_code": OTHER_COMPANY}]},
                        headers=platform_headers(market))
        assert listed.status_code == 409 and listed.json()["error"]["field"] == "rows[0].shop_id", listed.text
        presences = c.get(f"/api/v1/entities/{OTHER_COMPANY}/online-presences").json()["presences"]
        assert presences == []  # the whole list refused: the second row is not kept either
        [flagged] = c.get("/api/v1/online-presences/contested", headers=_reviewer(market)).json()["presences"]
        assert flagged["shop_id"] == "hd-001" and flagged["credit_code"] == COMPANY and flagged["status"] == "contested"


def _reviewer(platform):
    return {"Authorization": f"Bearer {platform.tokens.create(department=PLATFORM['operator_code'], role='reviewer')}"}


def test_an_exempt_individual_is_recorded_without_personal_data(market):
    with client(market) as c:
        row = {"type": "platform_shop", "platform": PLATFORM["key"], "shop_id": "gr-77", "name": "山里红手工坊",
               "exempt": "own_produce"}
        assert c.post("/api/v1/online-presences", json={"rows": [row]},
                      headers=platform_headers(market)).status_code == 201
        personal = c.post("/api/v1/online-presences", json={"rows": [{**row, "shop_id": "gr-78",
                                                                      "id_number": "11010519491231002X"}]},
                          headers=platform_headers(market))
        assert personal.status_code == 422 and personal.json()["error"]["field"] == "rows[0].id_number"


@pytest.mark.parametrize(("body", "status", "field"), [
    ({**SITE, "domain": "not a domain"}, 422, "domain"),
    ({**SITE, "domain": "http://"}, 422, "domain"),
    ({k: v for k, v in SITE.items() if k != "icp_number"}, 422, "icp_number"),
    ({**SHOP, "platform": "nowhere"}, 422, "platform"),
    ({**SHOP, "credit_code": OTHER_COMPANY}, 422, "credit_code"),
    ({**SHOP, "shop_id": "有空格 的"}, 422, "shop_id"),
])
def test_bad_declarations_name_the_field_and_store_nothing(market, body, status, field):
    with client(market) as c:
        csrf = activate(c, market)
        before = market.ledger.position()
        answer = _declare(c, csrf, body)
        assert answer.status_code == status and answer.json()["error"]["field"] == field, answer.text
        assert market.ledger.position() == before


def test_a_platform_cannot_list_another_platforms_shops_and_a_bad_row_refuses_the_list(market):
    with client(market) as c:
        before = market.ledger.position()
        other = c.post("/api/v1/online-presences", json={"rows": [
            {**SHOP, "credit_code": COMPANY}, {**SHOP, "platform": OTHER_PLATFORM["key"], "credit_code": COMPANY}]},
            headers=platform_headers(market))
        assert other.status_code == 403 and other.json()["error"]["field"] == "rows[1].platform", other.text
        bad = c.post("/api/v1/online-presences", json={"rows": [{**SHOP, "credit_code": COMPANY},
                                                                {**SHOP, "shop_id": "x2"}]},
                     headers=platform_headers(market))
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "rows[1].credit_code"
        assert market.ledger.position() == before


def test_a_mark_id_that_was_never_issued_is_a_clear_not_a_mark_page(market):
    with client(market) as c:
        page = c.get("/marks/LZAAAAAAAAAAAA")
        assert page.status_code == 404 and "不是有效的亮照标识" in page.text and 'id="not-a-mark"' in page.text
        assert c.get("/marks/garbage").status_code == 404
        assert c.get("/api/v1/marks/LZAAAAAAAAAAAA").json()["error"]["field"] == "mark_id"
        assert c.get("/marks/LZAAAAAAAAAAAA.svg").status_code == 404


def test_the_firm_declares_a_website_by_form_and_gets_its_embed_code_and_a_bad_form_names_the_field(market):
    with client(market) as c:
        csrf = activate(c, market)
        before = market.ledger.position()
        bad = c.post("/firm/online", data={"csrf": csrf, "type": "website", "name": "恒达官网", "domain": "恒达建材.中国",
                                            "icp_number": "12345", "category": "general"})
        assert bad.status_code == 422 and "icp_number" in bad.text and 'value="恒达官网"' in bad.text
        assert market.ledger.position() == before
        done = c.post("/firm/online", data={"csrf": csrf, "type": "website", "name": "恒达官网",
                                             "domain": "恒达建材.中国", "icp_number": "辽ICP备12345678号-1",
                                             "category": "general"}, follow_redirects=False)
        assert done.status_code == 303 and "declared=1" in done.headers["location"]
        page = c.get("/firm/online").text
        assert 'data-status="confirmed"' in page and "referrerpolicy" in page and "/marks/LZ" in page
        assert c.post("/firm/online", data={"csrf": "forged", "type": "website"}).status_code == 403


def test_the_offline_verifier_checks_a_mark_and_names_a_forged_one(market, tmp_path):
    import json
    import subprocess
    import sys

    from tests.reports_support import REPO

    with client(market) as c:
        csrf = activate(c, market)
        mark_id = _declare(c, csrf, SITE).json()["mark_id"]
        answer = c.get(f"/api/v1/marks/{mark_id}").json()
        (tmp_path / "key.pem").write_text(c.get("/api/v1/log/key").text)
    good, forged = tmp_path / "mark.json", tmp_path / "forged.json"
    good.write_text(json.dumps(answer, ensure_ascii=False))
    answer["mark"]["presence"]["domain"] = "copycat.example"
    forged.write_text(json.dumps(answer, ensure_ascii=False))
    run = lambda path: subprocess.run([sys.executable, "-m", "gongshi_verify", "mark", str(path), "--public-key",  # noqa: E731
                                       str(tmp_path / "key.pem")], cwd=REPO, capture_output=True, text=True, timeout=60)
    ok = run(good)
    assert ok.returncode == 0 and f"verified: mark {mark_id}" in ok.stdout, ok.stderr
    bad = run(forged)
    assert bad.returncode == 1 and "the signature does not verify" in bad.stderr


def test_certification_names_the_criterion_that_fails_and_follows_a_listing_at_once(market):
    from domain.annual_reports import PAPER, Filing
    from tests.datasets_support import annual_report
    from tests.records import SCJG
    from tests.supervision_records import licence
    from tests.supervision_records import submit as submit_own

    with client(market) as c:
        csrf = activate(c, market)
        _declare(c, csrf, {**SITE, "category": "food"})
        answer = c.get(f"/api/v1/certifications/{COMPANY}").json()
        failed = {x["id"] for x in answer["criteria"] if not x["passed"]}
        assert not answer["certified"] and failed == {"licenses", "annual_report"}, answer
        assert "食品经营许可" in next(x["detail"] for x in answer["criteria"] if x["id"] == "licenses")
        page = c.get(f"/certifications/{COMPANY}").text
        assert 'data-criterion="licenses" data-passed="no"' in page and "未通过可信认证" in page

        submit_own(market, licence(1, license_type="食品经营许可证"))
        market.annual_reports.file(Filing("test", PAPER, department=SCJG),
                                   {**annual_report(1), "credit_code": COMPANY, "name": "本溪市明山区恒达建材有限公司"},
                                   filed_on="2026-03-02")
        assert c.get(f"/api/v1/certifications/{COMPANY}").json()["certified"] is True
        submit_own(market, dishonesty(1, decision_date="2026-11-20"))
        answer = c.get(f"/api/v1/certifications/{COMPANY}").json()
        assert not answer["certified"] and [x["id"] for x in answer["criteria"] if not x["passed"]] == [
            "no_dishonesty_listing"]
        assert c.get(f"/api/v1/certifications/{OTHER_COMPANY}").status_code == 404  # no shop, no certification
        assert c.get("/api/v1/certifications/123").json()["error"]["field"] == "credit_code"


def test_a_shop_listed_in_the_annual_report_is_declared_and_an_unknown_address_is_not(market):
    from domain.annual_reports import ONLINE, Filing
    from tests.datasets_support import annual_report

    report = {**annual_report(1), "credit_code": COMPANY, "name": "本溪市明山区恒达建材有限公司", "has_website": True,
              "online_shops": [{"kind": "网店", "platform": "本溪优品商城", "name": "恒达建材旗舰店",
                                "url": "mall.benxi-youpin.example/shop/hd-009"},
                               {"kind": "网店", "platform": "某平台", "name": "恒达小店", "url": "https://shop.example.com/x"},
                               {"kind": "网站", "name": "恒达官网", "url": "www.hengda.example.cn"}]}
    market.annual_reports.file(Filing("firm:" + COMPANY, ONLINE, credit_code=COMPANY), report)
    with client(market) as c:
        [shop] = c.get(f"/api/v1/entities/{COMPANY}/online-presences").json()["presences"]
        assert (shop["platform"], shop["shop_id"], shop["status"]) == (PLATFORM["key"], "hd-009", "declared")
    assert online.shop_from_url("https://www.lnnongpin.example/store/abc/") == {"platform": OTHER_PLATFORM["key"],
                                                                             "shop_id": "abc"}
    assert online.shop_from_url("https://www.lnnongpin.example/other/abc") is None


def test_the_market_regulator_settles_a_contested_shop_and_the_first_mark_becomes_void(market):
    from tests.records import JTYS, SCJG

    with client(market) as c:
        csrf = activate(c, market)
        _declare(c, csrf, SHOP)
        c.post("/api/v1/online-presences", json={"rows": [{**SHOP, "credit_code": COMPANY}]},
               headers=platform_headers(market))
        [shop] = c.get(f"/api/v1/entities/{COMPANY}/online-presences").json()["presences"]
        first_mark = shop["mark_id"]
        c.post("/api/v1/online-presences", json={"rows": [{**SHOP, "credit_code": OTHER_COMPANY}]},
               headers=platform_headers(market))  # refused and flagged
        assert c.get(f"/api/v1/marks/{first_mark}").json()["status"] == "suspended"  # contested
        key = shop["presence_key"]
        url = f"/api/v1/online-presences/{key}/settle"
        assert c.post(url, json={"credit_code": OTHER_COMPANY, "reason": "经核查"},
                      headers=reviewer(market, JTYS)).status_code == 403
        assert c.post(url, json={"credit_code": OTHER_COMPANY}, headers=reviewer(market, SCJG)).status_code == 422
        done = c.post(url, json={"credit_code": OTHER_COMPANY, "reason": "经核查，该店由福源商贸经营"},
                      headers=reviewer(market, SCJG))
        assert done.status_code == 200 and done.json()["credit_code"] == OTHER_COMPANY, done.text
        assert done.json()["status"] == "confirmed" and done.json()["mark_id"] != first_mark
        old = c.get(f"/api/v1/marks/{first_mark}").json()
        assert old["status"] == "suspended" and "superseded" in [r["id"] for r in old["reasons"]]
        new = c.get(f"/api/v1/marks/{done.json()['mark_id']}").json()
        assert new["status"] == "valid" and new["mark"]["credit_code"] == OTHER_COMPANY
        assert c.post(url, json={"credit_code": OTHER_COMPANY, "reason": "再次"},
                      headers=reviewer(market, SCJG)).status_code == 409
