"""Headless Chromium against a real uvicorn server: a firm submits an investment project on /firm/projects (a bad
amount first, refused naming the field), the public follows it by code, the window accepts it at its reviewer
page with the credit check shown, and the reviewing department gives its opinion; the public page follows.
"""
from __future__ import annotations

import pytest

from tests.casework import firm_in_browser, reviewer_in_browser
from tests.portal import served, submit
from tests.records import COMPANY, entity
from tests.supervision_records import DEPTS
from tests.test_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = pytest.mark.browser


def test_a_firm_submits_a_project_the_public_follows_it_and_the_departments_review_it(browser, sqlite_platform):  # noqa: F811
    platform = sqlite_platform
    submit(platform, entity())
    activation = platform.accounts.create(COMPANY)
    fgw = platform.tokens.create(department=DEPTS["FGW"], role="reviewer")
    sthj = platform.tokens.create(department=DEPTS["STHJ"], role="reviewer")
    with served(platform) as base:
        firm = firm_in_browser(browser, base, activation)
        firm.locator("#projects-link").click()
        firm.wait_for_url(f"{base}/firm/projects")
        firm.get_by_label("项目名称").fill("恒达建材仓储物流中心项目")
        firm.get_by_label("项目类型").select_option("filing")
        firm.get_by_label("总投资（万元）").fill("八百万")
        firm.get_by_role("button", name="提交申报").click()
        assert "amount" in firm.locator("#errors").inner_text()
        assert firm.get_by_label("项目名称").input_value() == "恒达建材仓储物流中心项目"  # kept as typed
        firm.get_by_label("总投资（万元）").fill("800")
        firm.get_by_role("button", name="提交申报").click()
        firm.wait_for_url("**/firm/projects?submitted=*")
        code = firm.locator("#submitted a").inner_text()

        public = browser.new_page()
        public.goto(f"{base}/projects")
        public.get_by_label("项目代码").fill(code.lower())
        public.get_by_role("button", name="查询进度").click()
        public.wait_for_url(f"{base}/projects/{code}")
        assert public.locator("#project").get_attribute("data-status") == "submitted"

        window = reviewer_in_browser(browser, base, fgw)
        window.locator("#projects-link").click()
        window.wait_for_url(f"{base}/reviewer/projects")
        window.locator(f'#to-accept li[data-number="{code}"]').get_by_role("button", name="统一受理（自动信用核查）").click()
        window.wait_for_url("**/reviewer/projects?done=in_review")

        reviewer = reviewer_in_browser(browser, base, sthj)
        reviewer.goto(f"{base}/reviewer/projects")
        row = reviewer.locator(f'#review-items tr[data-number="{code}"]')
        assert "未触发联合奖惩措施" in row.inner_text() or row.locator(".credit").count() == 1
        row.get_by_label("审查意见").select_option("approve_with_conditions")
        row.get_by_label("理由").fill("落实雨污分流")
        row.get_by_role("button", name="出具意见").click()
        reviewer.wait_for_url("**/reviewer/projects?done=approved_with_conditions")

        public.reload()
        assert public.locator("#project").get_attribute("data-status") == "approved_with_conditions"
        assert "落实雨污分流" in public.locator("#items").inner_text()
