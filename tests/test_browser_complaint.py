"""Headless Chromium against a real uvicorn server: a citizen files a complaint from an entity's profile,
follows it by number without logging in, and the department routed to concludes it in its reviewer pages.

Skipped when /usr/bin/chromium is missing, unless GONGSHI_REQUIRE_BROWSER=1 (CI), which fails instead.
"""
from __future__ import annotations

import pytest

from tests.casework import reviewer_in_browser
from tests.portal import served, submit
from tests.records import COMPANY, SCJG, entity
from tests.test_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = pytest.mark.browser


def test_a_citizen_files_a_complaint_follows_it_and_the_department_concludes_it(browser, sqlite_platform):  # noqa: F811
    platform = sqlite_platform
    submit(platform, entity())
    token = platform.tokens.create(department=SCJG, role="reviewer")
    with served(platform) as base:
        citizen = browser.new_context(locale="zh-CN").new_page()
        citizen.goto(f"{base}/entities/{COMPANY}")
        citizen.get_by_role("link", name="投诉举报该主体").click()
        assert citizen.get_by_label("被投诉举报对象的统一社会信用代码").input_value() == COMPANY
        citizen.get_by_label("类别（决定由哪个部门办理）").select_option("product_quality")
        citizen.get_by_label("事实和理由").fill("购买的水泥经检测强度不达标，商家拒绝退货。")
        citizen.get_by_role("button", name="提交").click()  # no contact: a complaint is refused
        assert "投诉须留下姓名和联系电话" in citizen.locator("#errors").inner_text()
        assert citizen.get_by_label("事实和理由").input_value().startswith("购买的水泥")  # kept what was typed
        citizen.get_by_label("姓名").fill("张三")
        citizen.get_by_label("联系电话").fill("13912345678")
        citizen.get_by_role("button", name="提交").click()
        citizen.wait_for_url("**/cases/TS*")
        number = citizen.locator("dl#status dd").first.inner_text()
        assert citizen.locator("#case-status").get_attribute("data-status") == "submitted"
        assert "13912345678" not in citizen.content()

        desk = reviewer_in_browser(browser, base, token)
        desk.get_by_role("link", name=number).click()
        assert "13912345678" in desk.locator("#contact").inner_text()  # the department sees the contact
        for step in ("acknowledge", "accept"):
            desk.locator(f"#form-{step} button").click()
            desk.wait_for_url(f"**/reviewer/cases/{number}")
        desk.locator("#form-conclude select").select_option("substantiated")
        desk.locator("#form-conclude textarea").fill("经抽样检测属实，已责令退货并立案处罚")
        desk.locator("#form-conclude button").click()
        desk.wait_for_url(f"**/reviewer/cases/{number}")
        assert desk.locator("#case-status").get_attribute("data-status") == "concluded"

        citizen.goto(f"{base}/cases/{number}")
        assert citizen.locator("#case-outcome").inner_text() == "属实，已依法处理"
