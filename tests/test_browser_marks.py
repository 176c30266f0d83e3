"""Headless Chromium against a real uvicorn server: a shop shows its electronic licence mark (the embed snippet on
its page), a shopper clicks it and reads "issued for this shop"; the same snippet copied onto another site says it
is not; listing the operator as seriously dishonest suspends the mark and fails its certification at once.

The shop's and the copycat's pages are served by Playwright's router under their own host names, so the browser
sends its real Referer header, as it would from the platform.
"""
from __future__ import annotations

import pytest

from tests.casework import OTHER_COMPANY
from tests.online_support import PLATFORM, SHOP
from tests.portal import served, submit
from tests.records import COMPANY, entity
from tests.supervision_records import dishonesty
from tests.test_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = pytest.mark.browser


def _site(page, url, snippet):
    page.route(url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + "/**",
               lambda route: route.fulfill(content_type="text/html; charset=utf-8",
                                           body=f"<!doctype html><meta charset=utf-8><title>店铺</title>"
                                                f"<h1>欢迎光临</h1><footer id=mark>{snippet}</footer>"))
    page.goto(url)


def _open_mark(page):
    with page.expect_popup() as opened:
        page.locator("#mark a").click()
    mark = opened.value
    mark.wait_for_load_state()
    return mark


def test_a_shopper_follows_the_badge_from_the_shop_and_a_copied_badge_says_it_is_not_for_that_site(  # noqa: F811
        browser, sqlite_platform):
    platform = sqlite_platform
    submit(platform, entity(), entity(credit_code=OTHER_COMPANY, name="本溪市平山区福源商贸有限公司", district_code="210502"))
    platform.online.declare(COMPANY, SHOP, platform.clock(), "test")
    platform.online.submit_list(PLATFORM["operator_code"], [{**SHOP, "credit_code": COMPANY}], platform.clock(), "test")
    [(mark_id,)] = platform.views_db.execute("SELECT mark_id FROM v_marks")
    with served(platform) as base:
        snippet = browser.new_page().request.get(f"{base}/marks/{mark_id}/embed").text()
        assert f"{base}/marks/{mark_id}.svg" in snippet

        shop = browser.new_page()
        _site(shop, f"http://{PLATFORM['domains'][0]}/shop/{SHOP['shop_id']}", snippet)
        mark = _open_mark(shop)
        assert mark.url == f"{base}/marks/{mark_id}"
        assert mark.locator("#mark").get_attribute("data-referrer") == "match"
        assert "本标识是为您刚才所在的网店（网站）签发的" in mark.locator("#referrer-result").inner_text()
        assert "本溪市明山区恒达建材有限公司" in mark.locator("#operator-name").inner_text()
        assert mark.locator("#mark").get_attribute("data-status") == "valid"

        copycat = browser.new_page()
        _site(copycat, "http://cheap-deals.example/store", snippet)
        copied = _open_mark(copycat)
        assert copied.locator("#mark").get_attribute("data-referrer") == "other"
        assert "不是为您刚才所在的网站签发的" in copied.locator("#referrer-result").inner_text()
        assert "cheap-deals.example" in copied.locator("#referrer-result").inner_text()

        submit(platform, dishonesty(1, decision_date="2026-11-20"))
        mark.reload()
        assert mark.locator("#mark").get_attribute("data-status") == "suspended"
        assert "严重违法失信名单" in mark.locator("#mark-status").inner_text()
        badge = mark.request.get(f"{base}/marks/{mark_id}.svg").text()
        assert "标识已暂停" in badge
        mark.locator("#certification-link").click()
        mark.wait_for_url(f"**/certifications/{COMPANY}")
        assert mark.locator("#certification").get_attribute("data-certified") == "no"
        assert mark.locator('tr[data-criterion="no_dishonesty_listing"]').get_attribute("data-passed") == "no"
