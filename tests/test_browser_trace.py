"""Headless Chromium on a phone-sized screen against a real uvicorn server: a consumer types the code from a
label (with a typo, then the suggested code), reads the chain with its recall at the top, files a product-quality
complaint from the page and follows it by number; the failed test shows on the producer's profile.

Skipped when /usr/bin/chromium is missing, unless GONGSHI_REQUIRE_BROWSER=1 (CI), which fails instead.
"""
from __future__ import annotations

import pytest

from domain import trace_codes
from domain.trace import TraceActor
from tests.portal import served, submit
from tests.records import COMPANY, SCJG, entity
from tests.test_browser import browser  # noqa: F401 - the Chromium fixture
from tests.test_trace import MARKET, WHOLESALER, pork

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def recalled_chain(platform) -> tuple[str, str]:
    """Pork from the plant through a wholesaler to a supermarket; it fails a test and is recalled: (batch, shelf)."""
    submit(platform, entity(name="本溪市明山区恒达肉类加工有限公司"),
           entity(credit_code=WHOLESALER, name="本溪市平山区鑫源农产品批发有限公司", district_code="210502"),
           entity(credit_code=MARKET, name="本溪市溪湖区惠民超市有限公司", district_code="210503"))
    regulator = TraceActor("test", department=SCJG, department_key="SCJG")
    plant, wholesaler, market = (TraceActor(f"firm:{c}", credit_code=c) for c in (COMPANY, WHOLESALER, MARKET))
    code = platform.trace.register(plant, pork()).batch.code
    platform.trace.record(plant, code, {"step": "shipped", "to": WHOLESALER, "quantity": 600, "on": "2026-11-21"})
    platform.trace.record(wholesaler, code, {"step": "received", "on": "2026-11-21"})
    shelf = platform.trace.record(wholesaler, code, {"step": "split", "children": [{"quantity": 200}],
                                                     "on": "2026-11-22"}).created[0].code
    platform.trace.record(wholesaler, shelf, {"step": "shipped", "to": MARKET, "quantity": 200, "on": "2026-11-22"})
    platform.trace.record(market, shelf, {"step": "received", "on": "2026-11-23"})
    platform.trace.record(regulator, code, {"step": "tested", "result": "fail", "items": ["莱克多巴胺"],
                                            "report_number": "BX-JC-2026-0311", "on": "2026-11-24"})
    platform.trace.record(regulator, code, {"step": "recalled", "document_number": "本市监食召〔2026〕3号",
                                            "reason": "检出莱克多巴胺，责令召回", "on": "2026-11-24"})
    return code, shelf


def test_a_consumer_reads_a_recalled_products_chain_on_a_phone_and_complains_about_it(browser, sqlite_platform):  # noqa: F811
    platform = sqlite_platform
    code, shelf = recalled_chain(platform)
    printed = trace_codes.printed(shelf)
    typo = printed[:2] + ("A" if printed[2] != "A" else "B") + printed[3:]
    with served(platform) as base:
        phone = browser.new_context(locale="zh-CN", **PHONE).new_page()
        phone.goto(f"{base}/")
        phone.get_by_role("link", name="产品追溯").click()
        phone.get_by_label("追溯码").fill(typo.lower())
        phone.get_by_role("button", name="查询").click()
        assert "校验位不符" in phone.get_by_role("alert").inner_text()
        phone.locator("#suggestions").get_by_role("link", name=printed).click()
        phone.wait_for_url(f"**/trace/{shelf}")

        alert = phone.locator("#order-alert")
        assert alert.is_visible() and "该产品已被责令召回" in alert.inner_text()
        assert alert.bounding_box()["y"] < 740  # the recall is on the first screen
        assert phone.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")  # no sideways scroll
        steps = phone.locator("#steps li").all_inner_texts()
        assert any("本溪市溪湖区惠民超市有限公司" in s and "收货" in s for s in steps)
        assert phone.locator("#trace-code").inner_text() == printed
        assert phone.locator("figure.qr img").evaluate("img => img.complete && img.naturalWidth > 0")

        phone.locator("#complain").click()
        assert phone.get_by_label("对象类型").input_value() == "trace_code"
        assert phone.locator("#subject_key").input_value() == shelf
        phone.get_by_label("事实和理由").fill("在惠民超市购买的猪肉已被召回，超市仍在销售，要求退款。")
        phone.get_by_label("姓名").fill("李四")
        phone.get_by_label("联系电话").fill("13912345678")
        phone.get_by_role("button", name="提交").click()
        phone.wait_for_url("**/cases/TS*")
        number = phone.locator("dl#status dd").first.inner_text()
        assert number.startswith("TS") and "13912345678" not in phone.content()

        phone.goto(f"{base}/entities/{COMPANY}")
        quality = phone.locator("section[aria-labelledby=product-quality]").inner_text()
        assert "检验不合格" in quality and "莱克多巴胺" in quality and "责令召回" in quality
