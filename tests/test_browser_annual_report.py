"""Headless Chromium against a real uvicorn server: a firm files its annual report, revises it, and the public
reads the public part on the profile (the phone never shows).

Skipped when /usr/bin/chromium is missing, unless GONGSHI_REQUIRE_BROWSER=1 (CI), which fails instead.
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.casework import firm_in_browser
from tests.portal import served, submit
from tests.records import COMPANY, entity
from tests.test_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = pytest.mark.browser


def test_a_firm_files_and_revises_its_annual_report_and_the_public_reads_it(browser, sqlite_platform):  # noqa: F811
    platform = sqlite_platform
    platform.today = dt.date(2026, 3, 16)
    submit(platform, entity())
    activation = platform.accounts.create(COMPANY)
    with served(platform) as base:
        firm = firm_in_browser(browser, base, activation)
        firm.get_by_role("link", name="年度报告：报送、修改、查看状态").click()
        firm.locator("#year-2025").get_by_role("link", name="填报年报").click()
        firm.get_by_label("企业通信地址").fill("辽宁省本溪市明山区新明路12号")
        firm.get_by_label("邮政编码").fill("117000")
        firm.get_by_label("联系电话（不公示）").fill("13812345678")
        firm.get_by_label("企业经营状态").select_option("开业")
        firm.get_by_label("从业人数").fill("23")
        firm.get_by_label("是否有网站或网店").select_option("false")
        firm.get_by_label("营业总收入").fill("2300")
        firm.get_by_label("资产总额").fill("1520.3")
        firm.locator("input[name=public_items][value=revenue]").check()
        firm.locator("input[name=public_items][value=employees]").check()
        firm.get_by_label("名称").fill("本溪市明山区恒达建材有限公司")
        firm.get_by_role("button", name="报送年报").click()
        firm.wait_for_url("**/firm/annual-reports?saved=2025")
        assert "已于 2026-03-16 报送" in firm.locator("#year-2025").inner_text()

        firm.locator("#year-2025").get_by_role("link", name="修改年报").click()
        assert firm.get_by_label("从业人数").input_value() == "23"  # the form opens with the filed report
        firm.get_by_label("从业人数").fill("25")
        firm.get_by_role("button", name="保存修改").click()
        firm.wait_for_url("**/firm/annual-reports?saved=2025")
        assert "第 1 次修改" in firm.locator("#year-2025").inner_text()

        public = browser.new_context(locale="zh-CN").new_page()
        public.goto(f"{base}/entities/{COMPANY}")
        public.get_by_role("link", name="年报信息").click()
        public.get_by_role("link", name="2025年度报告").click()
        text = public.locator("main").inner_text()
        assert "25" in text and "2300" in text and "于 2026-03-16 修改" in text
        assert "13812345678" not in public.content() and "1520.3" not in text  # phone never, assets not chosen
        assert "资产总额" in public.locator("#withheld").locator("xpath=..").inner_text()
