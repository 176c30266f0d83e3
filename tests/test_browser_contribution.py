"""Headless Chromium against a real uvicorn server: a registered association logs in and reports an entity
(refused first for want of a source), nothing is public until the market regulator confirms it in its reviewer
pages, then the public profile shows it as society-sourced with its provenance and the registry counts it.

Skipped when /usr/bin/chromium is missing, unless GONGSHI_REQUIRE_BROWSER=1 (CI), which fails instead.
"""
from __future__ import annotations

import pytest

from tests.casework import PASSWORD, firm_in_browser, reviewer_in_browser
from tests.portal import served, submit
from tests.records import COMPANY, SCJG, entity
from tests.test_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = pytest.mark.browser
ASSOCIATION = "51210500MJY826692H"


def test_a_contributor_reports_a_reviewer_confirms_and_the_public_sees_it_as_society_sourced(
        browser, sqlite_platform):  # noqa: F811
    platform = sqlite_platform
    submit(platform, entity())
    platform.contributions.register(ASSOCIATION, "本溪市建材行业协会", "association", platform.clock(), "test")
    activation = platform.accounts.create(ASSOCIATION)
    token = platform.tokens.create(department=SCJG, role="reviewer")
    with served(platform) as base:
        desk = firm_in_browser(browser, base, activation)  # the account is activated like a firm's
        desk.goto(f"{base}/contributor/login")
        desk.get_by_label("统一社会信用代码").fill(ASSOCIATION)
        desk.get_by_label("密码").fill(PASSWORD)
        desk.get_by_role("button", name="登录").click()
        desk.wait_for_url(f"{base}/contributor")
        desk.get_by_label("被报送主体的统一社会信用代码").fill(COMPANY)
        desk.get_by_label("信息类别（决定由哪个部门核实）").select_option("product_quality")
        desk.get_by_label("违法失信事实").fill("会员单位反映该公司供应的螺纹钢经第三方检测屈服强度不达标。")
        desk.get_by_label("发生日期", exact=True).fill("2026-10-12")
        desk.get_by_role("button", name="报送").click()  # no source: refused, naming it
        assert "信息来源" in desk.locator("#errors").inner_text()
        assert desk.get_by_label("违法失信事实").input_value().startswith("会员单位")  # kept what was typed
        desk.get_by_label("来源类型").select_option("association_decision")
        desk.get_by_label("来源名称（报道标题、文书或记录编号）").fill("本建协〔2026〕8号 行业自律处分决定")
        desk.get_by_role("button", name="报送").click()
        desk.wait_for_url("**/contributor?filed=SH*")
        number = desk.locator("#filed strong").inner_text()
        assert desk.locator(f'#my-contributions tr[data-number="{number}"]').get_attribute("data-status") == "submitted"

        public = browser.new_context(locale="zh-CN").new_page()
        public.goto(f"{base}/entities/{COMPANY}?tab=society")
        assert public.locator(".society-row").count() == 0 and "螺纹钢" not in public.content()

        reviewer = reviewer_in_browser(browser, base, token)
        reviewer.get_by_role("link", name=number).click()
        assert "本溪市建材行业协会" in reviewer.locator("#contribution").inner_text()
        reviewer.locator("#form-confirm textarea").fill("经调取检测报告核实属实")
        reviewer.locator("#form-confirm button").click()
        reviewer.wait_for_url(f"**/reviewer/cases/{number}")
        assert reviewer.locator("#case-status").get_attribute("data-status") == "confirmed"

        public.goto(f"{base}/entities/{COMPANY}?tab=society")
        row = public.locator(".society-row")
        assert row.count() == 1 and "螺纹钢" in row.inner_text()
        assert "本溪市建材行业协会" in row.locator(".contributor").inner_text()
        assert "本溪市市场监督管理局" in row.locator(".confirmed-by").inner_text()
        assert "不是政府部门作出的行政决定" in public.locator("#society-note").inner_text()
        row.get_by_role("link").click()
        assert "经调取检测报告核实属实" in public.content() and public.locator("#provenance").is_visible()

        public.goto(f"{base}/contributors")
        counts = public.locator(f'#contributors tr[data-code="{ASSOCIATION}"]')
        assert counts.locator(".confirmed").inner_text() == "1" and counts.locator(".refused").inner_text() == "0"
