"""Department disclosure pages and model contracts over real HTTP (SQLite and PostgreSQL): a department keeps its
duties, procedures and commitments as versioned Markdown (no HTML), its page joins them with what the ledger says of
it (decisions per month and on-time share, spot checks, complaints, catalog items); the market regulator publishes
model contracts with versions, an open dataset."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.casework import csrf_of, reviewer
from tests.portal import client, dataset_csv, submit
from tests.records import COMPANY, JTYS, SCJG, entity, penalty

DUTIES = "# 主要职责\n\n- 负责市场主体登记注册\n- 负责**网络交易**监督管理\n\n详见 [市政府网站](https://www.benxi.gov.cn)。"


@pytest.fixture
def city(platform):
    recent = (dt.date(2026, 11, 25) - dt.timedelta(days=1)).isoformat()
    submit(platform, entity(), penalty(1, decision_date=recent), penalty(2, decision_date="2026-03-02"))
    return platform


def _save(c, platform, kind, body, department=SCJG, token_department=SCJG):
    return c.post(f"/api/v1/departments/{department}/documents/{kind}", json=body,
                  headers=reviewer(platform, token_department))


def test_a_department_keeps_its_duties_as_versioned_markdown_and_its_page_shows_them_with_its_timeliness(city):
    with client(city) as c:
        saved = _save(c, city, "duties", {"title": "主要职责", "text": DUTIES, "note": "首次发布"})
        assert saved.status_code == 201 and saved.json()["version"] == 1, saved.text
        again = _save(c, city, "duties", {"title": "主要职责", "text": DUTIES})
        assert again.status_code == 200 and again.json()["changed"] is False and again.json()["version"] == 1
        assert _save(c, city, "duties", {"title": "主要职责", "text": DUTIES + "\n\n- 负责食品安全"}).json()["version"] == 2
        page = c.get(f"/departments/{SCJG}").text
        assert "<h1>主要职责</h1>" in page and "<strong>网络交易</strong>" in page and "负责食品安全" in page
        assert 'id="doc-duties" data-version="2"' in page and "本部门尚未发布工作程序" in page
        body = c.get(f"/api/v1/departments/{SCJG}").json()
        assert body["department"]["name"] == "本溪市市场监督管理局"
        published = body["published"]
        assert published["total"] == 2 and published["on_time"] == 0, published  # both reached us after 7 working days
        assert [m["month"] for m in published["months"]] == ["2026-11", "2026-03"]
        assert 'id="on-time-rate">0.0%' in page
        assert {i["kind"] for i in body["catalog_items"]} >= {"anomaly_listing", "penalty"}
        assert c.get("/departments/SCJG").status_code == 200  # by catalog key too
        index = c.get("/api/v1/departments").json()["departments"]
        assert next(d for d in index if d["code"] == SCJG)["documents"] == ["duties"]


def test_html_in_a_document_is_refused_and_another_departments_page_cannot_be_changed(city):
    with client(city) as c:
        before = city.ledger.position()
        html = _save(c, city, "procedures", {"title": "程序", "text": "第一步<script>alert(1)</script>"})
        assert html.status_code == 422 and html.json()["error"]["field"] == "text"
        other = _save(c, city, "duties", {"title": "职责", "text": "交通运输"}, department=JTYS)
        assert other.status_code == 403 and other.json()["error"]["field"] == "code"
        assert _save(c, city, "secrets", {"title": "x", "text": "y"}).json()["error"]["field"] == "kind"
        phone = _save(c, city, "duties", {"title": "职责", "text": "咨询请致电 13912345678"})
        assert phone.status_code == 422 and phone.json()["error"]["code"] == "personal_number"
        assert _save(c, city, "duties", {"title": "", "text": ""}).status_code == 422
        assert city.ledger.position() == before
        _save(c, city, "commitments", {"title": "服务承诺", "text": "[点我](javascript:alert(1)) 一次办结"})
        page = c.get(f"/departments/{SCJG}").text
        assert "javascript:" not in page.split('id="doc-commitments"')[1].split("</section>")[0].replace(
            "[点我](javascript:alert(1))", "")
        assert c.get("/departments/NOPE").status_code == 404


def test_the_market_regulator_publishes_model_contracts_with_versions_as_an_open_dataset(city):
    with client(city) as c:
        first = c.post("/api/v1/contracts/online-retail", json={"title": "网络零售合同（示范文本）",
                                                                "text": "## 第一条 商品信息\n\n卖方应如实描述商品。"},
                       headers=reviewer(city, SCJG))
        assert first.status_code == 201, first.text
        c.post("/api/v1/contracts/online-retail", json={"title": "网络零售合同（示范文本）", "note": "增加七日无理由退货",
                                                        "text": "## 第一条 商品信息\n\n卖方应如实描述商品。\n\n"
                                                                "## 第二条 退货\n\n七日无理由退货。"},
               headers=reviewer(city, SCJG))
        assert c.post("/api/v1/contracts/x-y", json={"title": "t", "text": "t"},
                      headers=reviewer(city, JTYS)).status_code == 403
        assert c.post("/api/v1/contracts/Bad Slug!", json={"title": "t", "text": "t"},
                      headers=reviewer(city, SCJG)).json()["error"]["field"] == "slug"
        current = c.get("/contracts/online-retail").text
        assert "七日无理由退货" in current and 'data-version="2"' in current
        old = c.get("/contracts/online-retail?version=1").text
        assert "这不是现行版本" in old and "七日无理由退货" not in old.split('<div class="markdown">')[1].split("</div>")[0]
        assert c.get("/api/v1/contracts/online-retail?version=9").json()["error"]["field"] == "version"
        rows = dataset_csv(c, "model-contracts")
        assert [(r["owner"], r["version"], r["current"]) for r in rows] == [("online-retail", "1", "0"),
                                                                          ("online-retail", "2", "1")]


def test_the_reviewer_edits_the_departments_page_by_form(city):
    token = city.tokens.create(department=SCJG, role="reviewer")
    with client(city) as c:
        page = c.get("/reviewer/login")
        c.post("/reviewer/login", data={"csrf": csrf_of(page.text), "token": token})
        editor = c.get("/reviewer/documents")
        assert editor.status_code == 200 and 'id="form-duties"' in editor.text and 'id="form-contract"' in editor.text
        csrf = csrf_of(editor.text)
        bad = c.post("/reviewer/documents", data={"csrf": csrf, "kind": "duties", "title": "职责", "text": "<b>x</b>"})
        assert bad.status_code == 422 and "HTML" in bad.text and "&lt;b&gt;x&lt;/b&gt;" in bad.text
        done = c.post("/reviewer/documents", data={"csrf": csrf, "kind": "duties", "title": "职责", "text": DUTIES},
                      follow_redirects=False)
        assert done.status_code == 303
        assert "负责市场主体登记注册" in c.get(f"/departments/{SCJG}").text
        assert COMPANY not in c.get("/reviewer/documents").text


def test_a_decision_is_published_on_time_within_seven_working_days_of_its_date():
    from domain.publicity import published_on_time

    assert published_on_time("2026-11-20", "2026-12-01")  # Fri + 7 working days = Tue 1 Dec
    assert not published_on_time("2026-11-20", "2026-12-02")
    assert published_on_time("2026-09-30", "2026-10-15")  # the National Day holiday does not count
    assert not published_on_time("2026-09-30", "2026-10-16")
