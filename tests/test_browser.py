"""Headless Chromium (Debian's) against a real uvicorn server: search, open a profile, no expired penalty.

Skipped when /usr/bin/chromium is missing, unless GONGSHI_REQUIRE_BROWSER=1 (CI), which fails instead.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from gongshi.platform import Platform
from tests.portal import AHEAD, ending_penalty, served, submit
from tests.records import COMPANY, entity

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("GONGSHI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is required (GONGSHI_REQUIRE_BROWSER=1) but missing")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def portal(sqlite_platform, tmp_path):
    platform = Platform(sqlite_platform.settings, today=AHEAD)
    sqlite_platform.close()
    expired = ending_penalty(1, AHEAD - dt.timedelta(days=1), violation_type="销售过期食品")
    current = ending_penalty(2, AHEAD + dt.timedelta(days=60))
    submit(platform, entity(), expired, current)
    with served(platform) as base:
        yield base, expired["document_number"], current["document_number"]
    platform.close()


def test_search_a_partial_name_open_the_profile_and_see_no_expired_penalty(browser, portal):
    base, expired, current = portal
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.goto(base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.get_by_label("搜索市场主体和公示信息").fill("恒达建材")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert "找到" in page.locator("#results-h").inner_text()
    page.locator(f'ol.hits a[href="/entities/{COMPANY}"]').click()
    page.wait_for_url(f"**/entities/{COMPANY}")
    assert page.locator("h1").inner_text().startswith("本溪市明山区恒达建材有限公司")
    assert "王建国" in page.locator("dl.fields").inner_text()
    page.get_by_role("link", name="行政处罚（公示中）").click()
    records = page.locator("#records").inner_text()
    assert current in records and expired not in records
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "page scrolls sideways on a phone"
    page.close()
