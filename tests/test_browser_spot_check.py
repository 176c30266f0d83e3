"""Headless Chromium against a real uvicorn server: an official of the market regulator draws an inspection list,
records a drawn entity's spot-check result on the list's page, and the public reads it on the entity's profile.

Skipped when /usr/bin/chromium is missing, unless GONGSHI_REQUIRE_BROWSER=1 (CI), which fails instead.
"""
from __future__ import annotations

import pytest

from tests.conftest import TODAY
from tests.portal import served, submit
from tests.records import COMPANY, SCJG, entity
from tests.test_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = pytest.mark.browser
NAME = "本溪市明山区恒达建材有限公司"


def test_an_official_records_a_spot_check_result_and_the_public_profile_shows_it(browser, sqlite_platform):  # noqa: F811
    platform = sqlite_platform
    submit(platform, entity())
    token = platform.tokens.create(department=SCJG, role="submitter", label="市场监管局检查科")
    with served(platform) as base:
        official = browser.new_context(locale="zh-CN").new_page()
        official.goto(f"{base}/supervision/inspections")
        official.get_by_label("随机种子（可选，留空则随机生成）").fill("2026-11 明山区第一批")
        official.get_by_label("API 令牌").fill(token)
        official.get_by_role("button", name="抽取并记录").click()
        official.wait_for_url(f"{base}/supervision/inspections/*")
        row = official.locator(f"#entity-{COMPANY}")
        assert "未记录" in row.inner_text()
        official.get_by_label(f"{NAME} 检查结果").select_option(label="发现问题已责令改正")
        official.get_by_label(f"{NAME} 检查日期").fill(TODAY.isoformat())
        official.get_by_label(f"{NAME} 备注").fill("未按规定公示即时信息，已责令限期公示")
        official.get_by_role("button", name="记录检查结果").click()
        official.wait_for_url("**?saved=1#results")
        assert "检查结果已记录" in official.locator("main").inner_text()
        assert "发现问题已责令改正" in row.locator(".recorded").inner_text()

        public = browser.new_context(locale="zh-CN").new_page()
        public.goto(f"{base}/entities/{COMPANY}")
        section = public.locator("section", has=public.get_by_role("heading", name="抽查检查信息"))
        text = section.inner_text()
        assert "发现问题已责令改正" in text and TODAY.isoformat() in text and "本溪市市场监督管理局" in text
        assert "未按规定公示即时信息，已责令限期公示" in text and "2026-11 明山区第一批" in text
        assert token not in public.content()
