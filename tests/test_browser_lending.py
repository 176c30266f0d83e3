"""Headless Chromium against a real uvicorn server: a firm grants a bank consent on /firm/consents, the bank reads
the fuller report at its desk, a second bank without consent is refused, and the firm sees both attempts.

Skipped when /usr/bin/chromium is missing, unless GONGSHI_REQUIRE_BROWSER=1 (CI), which fails instead.
"""
from __future__ import annotations

import pytest

from tests.casework import PASSWORD, firm_in_browser
from tests.lending_support import BANK, OTHER_BANK, register_lenders
from tests.portal import served, submit
from tests.records import COMPANY, entity, penalty
from tests.test_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = pytest.mark.browser


def _lender_desk(browser, base, activation, code):  # noqa: F811
    desk = firm_in_browser(browser, base, activation)  # the account is activated like a firm's
    desk.goto(f"{base}/lender/login")
    desk.get_by_label("统一社会信用代码").fill(code)
    desk.get_by_label("密码").fill(PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.wait_for_url(f"{base}/lender")
    return desk


def test_a_firm_grants_consent_the_bank_reads_another_is_refused_and_the_firm_sees_both(browser, sqlite_platform):  # noqa: F811
    platform = sqlite_platform
    submit(platform, entity(), penalty(1, decision_date="2022-03-01"), penalty(2, decision_date="2026-03-02"))
    register_lenders(platform)
    firm_activation = platform.accounts.create(COMPANY)
    bank_activation, other_activation = platform.accounts.create(BANK), platform.accounts.create(OTHER_BANK)
    with served(platform) as base:
        firm = firm_in_browser(browser, base, firm_activation)
        firm.locator("#consents-link").click()
        firm.wait_for_url(f"{base}/firm/consents")
        firm.get_by_label("被授权机构").select_option(BANK)
        firm.get_by_label("授权用途").select_option("loan_review")
        firm.get_by_label("截止日期（含当日）").fill("2027-11-25")  # a year and a day: refused, naming the field
        firm.get_by_role("button", name="授权").click()
        assert "valid_until" in firm.locator("#errors").inner_text()
        firm.get_by_label("截止日期（含当日）").fill("2027-05-24")
        firm.get_by_role("button", name="授权").click()
        firm.wait_for_url("**/firm/consents?granted=1")
        assert firm.locator(f'#consents tr[data-lender="{BANK}"]').get_attribute("data-status") == "granted"

        bank = _lender_desk(browser, base, bank_activation, BANK)
        bank.get_by_label("查阅企业信用报告：企业统一社会信用代码").fill(COMPANY)
        bank.get_by_role("button", name="查阅").click()
        bank.wait_for_url(f"**/lender/reports/{COMPANY}")
        report = bank.locator("#lender-report")
        assert "本溪市明山区恒达建材有限公司" in report.locator("#firm-name").inner_text()
        assert "本市监罚〔2024〕1号" in report.locator(".beyond-item").first.inner_text()  # past its publicity
        assert bank.locator("#grade").inner_text().strip() in "ABCD"

        other = _lender_desk(browser, base, other_activation, OTHER_BANK)
        other.goto(f"{base}/lender/reports/{COMPANY}")
        refused = other.locator("#refused")
        assert "未授权" in refused.inner_text() and other.locator("#lender-report").count() == 0
        assert "本市监罚" not in other.content()

        firm.reload()
        rows = firm.locator("#reads tr[data-outcome]")
        assert rows.count() == 2
        assert firm.locator(f'#reads tr[data-lender="{BANK}"]').get_attribute("data-outcome") == "served"
        refused_row = firm.locator(f'#reads tr[data-lender="{OTHER_BANK}"]')
        assert refused_row.get_attribute("data-outcome") == "refused" and "未授权" in refused_row.inner_text()


def test_a_bank_publishes_a_product_the_firm_applies_and_the_bank_grants_it_at_its_desk(browser, sqlite_platform):  # noqa: F811
    platform = sqlite_platform
    submit(platform, entity(established="2020-06-18"))
    register_lenders(platform)
    bank_activation, firm_activation = platform.accounts.create(BANK), platform.accounts.create(COMPANY)
    with served(platform) as base:
        bank = _lender_desk(browser, base, bank_activation, BANK)
        bank.get_by_label("产品编号").fill("XYD-09")
        bank.get_by_label("产品名称").fill("诚信贷")
        for label, value in (("最低额度（万元）", "10"), ("最高额度（万元）", "5"), ("最短期限（月）", "6"),
                             ("最长期限（月）", "36"), ("最低年利率（%）", "3.5"), ("最高年利率（%）", "5")):
            bank.get_by_label(label).fill(value)
        bank.get_by_role("button", name="发布产品").click()
        assert "amount" in bank.locator("#errors").inner_text()  # the maximum below the minimum, by name
        bank.get_by_label("最高额度（万元）").fill("100")
        bank.get_by_role("button", name="发布产品").click()
        bank.wait_for_url("**/lender?published=1*")
        assert "诚信贷（XYD-09，在售）" in bank.locator("#products").inner_text()

        firm = firm_in_browser(browser, base, firm_activation)
        firm.goto(f"{base}/firm/finance")
        row = firm.locator("#eligibility tr[data-eligible=yes]")
        row.get_by_label("金额（万元）").fill("30")
        row.get_by_label("期限（月）").fill("12")
        row.get_by_role("button", name="申请并授权查询").click()
        firm.wait_for_url("**/firm/finance?applied=1")

        bank.goto(f"{base}/lender")
        application = bank.locator("#applications tr[data-status=submitted]")
        application.get_by_label("放款金额（万元）").fill("25")
        application.get_by_role("button", name="放款").click()
        bank.wait_for_url("**/lender?decided=granted*")
        assert bank.locator("#applications tr[data-status=granted]").count() == 1
        firm.reload()
        assert "已放款（25.0 万元）" in firm.locator("#applications").inner_text()
