"""Headless Chromium against a real uvicorn server: a reader flags a data problem from a record's page, follows the
flag by its number, the record page says a flag is open, and the source department upholds it at its reviewer page.
"""
from __future__ import annotations

import pytest

from tests.casework import reviewer_in_browser
from tests.portal import served, submit
from tests.records import SCJG, entity, penalty
from tests.test_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = pytest.mark.browser


def test_a_reader_flags_a_record_and_the_source_department_answers(browser, sqlite_platform):  # noqa: F811
    platform = sqlite_platform
    submit(platform, entity(), penalty(1, decision_date="2026-11-02"))
    [(record_id,)] = platform.views_db.execute("SELECT record_id FROM v_records WHERE kind = 'penalty'")
    token = platform.tokens.create(department=SCJG, role="reviewer")
    with served(platform) as base:
        reader = browser.new_context(locale="zh-CN").new_page()
        reader.goto(f"{base}/records/{record_id}")
        reader.locator("#quality-flag-link").click()
        reader.wait_for_url(f"**/records/{record_id}/quality-flag")
        reader.get_by_role("button", name="提交反馈").click()  # no note: refused, naming it
        assert "note" in reader.locator("#errors").inner_text()
        reader.get_by_label("问题类型").select_option("outdated")
        reader.get_by_label("问题说明（哪里不对、正确的应是什么）").fill("该企业已整改完毕。")
        reader.get_by_role("button", name="提交反馈").click()
        reader.wait_for_url("**/cases/ZL*")
        number = reader.url.rsplit("/", 1)[1]
        assert "数据质量反馈处理中" in reader.content()
        reader.goto(f"{base}/records/{record_id}")
        assert reader.locator("#quality-flag-open").is_visible()

        desk = reviewer_in_browser(browser, base, token)
        desk.goto(f"{base}/reviewer/cases/{number}")
        assert "该企业已整改完毕" in desk.content()
        desk.locator("#reason-uphold").fill("经核实，处罚在公示期内，依法继续公示")
        desk.get_by_role("button", name="经核实无误").click()
        desk.wait_for_load_state()
        reader.reload()
        assert reader.locator("#quality-flag-open").count() == 0
