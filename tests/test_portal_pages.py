"""The portal's HTML pages over HTTP: content, accessibility basics, helpful 4xx pages, never a 500."""
from __future__ import annotations

import re

import pytest

from tests.portal import OTHER, client, submit
from tests.records import COMPANY, SCJG, entity, penalty

LISTED = {
    "kind": "anomaly_listing", "party_name": "本溪市明山区恒达建材有限公司", "party_type": "法人及非法人组织",
    "credit_code": COMPANY, "document_number": "本市监异列〔2025〕7号", "cause": "未按规定期限公示年度报告",
    "decision_date": "2025-07-01", "authority": "本溪市市场监督管理局", "authority_code": SCJG,
}
REMOVED = {
    "kind": "anomaly_removal", "credit_code": COMPANY, "listing_document_number": "本市监异列〔2025〕7号",
    "document_number": "本市监异移〔2025〕3号", "cause": "已补报年度报告", "decision_date": "2025-09-01",
    "authority": "本溪市市场监督管理局", "authority_code": SCJG,
}


@pytest.fixture
def loaded(platform):
    submit(platform, entity(), entity(credit_code=OTHER, name="本溪市平山区鑫源食品有限公司", district_code="210502",
                                      legal_representative="李秀英"),
           penalty(1), penalty(2, decision_date="2025-02-03", violation_type="未按规定查验食品安全证明",
                               credit_code=OTHER, party_name="本溪市平山区鑫源食品有限公司"),
           LISTED, REMOVED)
    with client(platform) as c:
        yield c


def test_home_has_a_labelled_search_box_counts_and_latest(loaded):
    page = loaded.get("/").text
    assert '<html lang="zh-CN">' in page and '<label for="q">' in page and 'id="q" name="q"' in page
    assert "行政处罚" in page and "明山区" in page and "平山区" in page
    assert "本市监罚〔2024〕1号" in page and 'href="/lists/dishonesty"' in page


def test_search_page_highlights_and_offers_facets(loaded):
    page = loaded.get("/search", params={"q": "鑫源"}).text
    assert "<mark>鑫源</mark>" in page and "找到 2 条结果" in page
    assert re.search(r'href="/search\?q=%E9%91%AB%E6%BA%90&amp;sort=relevance&amp;kind=penalty"', page)
    filtered = loaded.get("/search", params={"q": "鑫源", "kind": "penalty"}).text
    assert "找到 1 条结果" in filtered and 'aria-current="true"' in filtered


def test_empty_and_punctuation_queries_get_a_helpful_page(loaded):
    empty = loaded.get("/search")
    assert empty.status_code == 200 and "请输入要查找的内容" in empty.text
    nothing = loaded.get("/search", params={"q": "！！？？"})
    assert nothing.status_code == 200 and "没有可搜索的汉字" in nothing.text
    missing = loaded.get("/search", params={"q": "不存在的公司名称"})
    assert missing.status_code == 200 and "没有找到结果" in missing.text and "建议" in missing.text


def test_entity_profile_shows_legal_representative_and_tabs_but_no_id_or_phone(loaded):
    page = loaded.get(f"/entities/{COMPANY}").text
    assert "王建国" in page and "11010519491231002X" not in page and "13812345678" not in page
    for tab in ("行政许可", "行政处罚（公示中）", "信用承诺", "经营异常名录记录", "严重违法失信名单记录", "红名单"):
        assert tab in page
    assert 'aria-current="page"' in page and "本市监罚〔2024〕1号" in page
    anomaly = loaded.get(f"/entities/{COMPANY}", params={"tab": "anomaly"}).text
    assert "本市监异列〔2025〕7号" in anomaly and "已移出 2025-09-01" in anomaly


def test_record_page_shows_fields_window_and_history(loaded, platform):
    record_id = platform.views_db.query("SELECT record_id FROM v_records WHERE document_number=?",
                                        ("本市监罚〔2024〕1号",))[0]["record_id"]
    page = loaded.get(f"/records/{record_id}").text
    assert "违法行为类型" in page and "销售不合格建筑材料" in page and "罚款、没收违法所得" in page
    assert "公示截止" in page and "最短公示期届满" in page and "版本记录" in page and "首次公示" in page


def test_list_pages_filter_and_show_history(loaded):
    current = loaded.get("/lists/anomaly").text
    assert "共 0 条" in current
    history = loaded.get("/lists/anomaly", params={"status": "all", "district": "210504"}).text
    assert "共 1 条" in history and "已移出 2025-09-01" in history and "含已移出的历史记录" in history
    assert '<label for="status">' in history
    assert "共 0 条" in loaded.get("/lists/anomaly", params={"status": "all", "year": "2024"}).text


@pytest.mark.parametrize("url, status, text", [
    ("/entities/91210504MA0XK4E22F", 400, "校验位"),
    ("/entities/hello", 400, "统一社会信用代码"),
    ("/entities/00000000000000000X", 400, "工商注册号"),
    ("/entities/91350100M000100Y43", 404, "没有找到"),
    ("/records/not-a-uuid", 400, "信息编号"),
    ("/records/00000000-0000-0000-0000-000000000000", 404, "没有找到"),
    ("/lists/blacklist", 404, "dishonesty"),
    ("/lists/anomaly?status=maybe", 400, "状态"),
    ("/lists/red?list_type=不存在", 400, "名单类型"),
    ("/search?q=恒达&page=0", 400, "页码"),
    ("/search?q=恒达&page=abc", 400, "页码"),
    ("/search?q=恒达&page=999", 404, "共 1 页"),
    ("/search?q=恒达&page_size=1000", 400, "每页条数"),
    ("/search?q=恒达&sort=best", 400, "排序"),
    ("/search?q=恒达&kind=blog", 400, "信息类别"),
    ("/search?q=恒达&year=19", 400, "年份"),
    ("/search?q=恒达&district=明山", 400, "区县"),
    ("/search?q=恒达&as_of=yesterday", 400, "as_of"),
    ("/search?q=恒达&as_of=2999-01-01", 400, "不能晚于今天"),
    ("/search?q=恒达&as_of=99999", 400, "尚不存在"),
    (f"/entities/{COMPANY}?tab=penalties&page=3", 404, "不存在"),
])
def test_bad_input_gets_a_helpful_html_page(loaded, url, status, text):
    response = loaded.get(url)
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html") and text in response.text


def test_markup_in_data_is_escaped(platform):
    submit(platform, penalty(1, facts="<script>alert(1)</script>经查属实"))
    with client(platform) as c:
        page = c.get("/search", params={"q": "经查属实"}).text
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
