"""Headless Chromium against a real uvicorn server: a firm applies for repair, a reviewer approves it.

Skipped when /usr/bin/chromium is missing, unless GONGSHI_REQUIRE_BROWSER=1 (CI), which fails instead.
"""
from __future__ import annotations

import pytest

from tests.casework import PDF, PNG, firm_in_browser, reviewer_in_browser, rid
from tests.portal import served, submit
from tests.records import COMPANY, SCJG, entity, penalty
from tests.test_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = pytest.mark.browser


def test_a_firm_applies_for_repair_and_after_approval_the_penalty_is_no_longer_public(browser, sqlite_platform,  # noqa: F811
                                                                                      tmp_path):
    platform = sqlite_platform
    submit(platform, entity(), penalty(1))
    activation = platform.accounts.create(COMPANY)
    token = platform.tokens.create(department=SCJG, role="reviewer")
    (tmp_path / "receipt.pdf").write_bytes(PDF)
    (tmp_path / "commitment.png").write_bytes(PNG)
    with served(platform) as base:
        firm = firm_in_browser(browser, base, activation)
        row = firm.locator(f"#record-{rid(1)}")
        assert "今天可以申请" in row.inner_text()
        row.get_by_role("link", name="申请信用修复").click()
        firm.get_by_label("履行义务证明").set_input_files(str(tmp_path / "receipt.pdf"))
        firm.get_by_label("信用修复承诺书").set_input_files(str(tmp_path / "commitment.png"))
        firm.get_by_label("情况说明").fill("罚款已于2024年3月缴清，已完成整改")
        firm.get_by_role("button", name="提交申请").click()
        firm.wait_for_url("**/firm/cases/XF*")
        number = firm.locator("#case-number").inner_text()
        assert firm.locator("#case-status").get_attribute("data-status") == "submitted"

        desk = reviewer_in_browser(browser, base, token)
        desk.get_by_role("link", name=number).click()
        assert "receipt.pdf" in desk.locator("main").inner_text()
        desk.locator("#form-accept button").click()
        desk.wait_for_url(f"**/reviewer/cases/{number}")
        assert desk.locator("#case-status").get_attribute("data-status") == "accepted"
        desk.locator("#form-approve textarea").fill("已履行处罚决定并作出信用承诺")
        desk.locator("#form-approve button").click()
        desk.wait_for_url(f"**/reviewer/cases/{number}")
        assert desk.locator("#case-status").get_attribute("data-status") == "approved"

        firm.reload()
        assert "准予修复" in firm.locator("#case-status").inner_text()
        public = browser.new_context(locale="zh-CN").new_page()
        assert public.goto(f"{base}/records/{rid(1)}").status in (404, 410)
        profile = public.goto(f"{base}/entities/{COMPANY}")
        assert profile.status == 200 and "本市监罚〔2024〕1号" not in public.locator("main").inner_text()
        public.goto(f"{base}/cases/{number}")
        assert public.locator("#case-status").get_attribute("data-status") == "approved"
        row = platform.views_db.query("SELECT status FROM v_records WHERE record_id=? AND valid_to IS NULL",
                                      (rid(1),))
        assert row == [{"status": "repaired"}]
