"""Headless Chromium against a real uvicorn server: a newcomer opens a profile, issues a PDF credit report for
bidding, the first page renders (pdftoppm) and its own text layer holds the Chinese text (pdftotext); the QR
code's verification page confirms it, and the offline verifier confirms the downloaded file.

Skipped when /usr/bin/chromium is missing, unless GONGSHI_REQUIRE_BROWSER=1 (CI), which fails instead.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request

import pytest

from tests.portal import served
from tests.records import COMPANY
from tests.reports_support import EXPIRED_PENALTY, PUBLIC_PENALTY, firm_with_history, verify_cli
from tests.test_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = pytest.mark.browser


def _poppler() -> None:
    if shutil.which("pdftoppm") and shutil.which("pdftotext"):
        return
    if os.environ.get("GONGSHI_REQUIRE_BROWSER") == "1":
        pytest.fail("pdftoppm and pdftotext (poppler-utils) are required here but missing")
    pytest.skip("poppler-utils is not installed")


def test_a_newcomer_downloads_a_pdf_report_and_sees_it_verified(browser, sqlite_platform, tmp_path):  # noqa: F811
    _poppler()
    firm_with_history(sqlite_platform)
    with served(sqlite_platform) as base:
        page = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
        page.goto(f"{base}/entities/{COMPANY}")
        page.locator("#credit-report").click()
        page.wait_for_url(f"{base}/entities/{COMPANY}/report")
        assert PUBLIC_PENALTY in page.locator("main").inner_text()
        page.get_by_label("用途").select_option(label="招标投标")
        with page.expect_download() as info:
            page.get_by_role("button", name="出具并下载 PDF 报告").click()
        download = info.value
        number = download.suggested_filename.removesuffix(".pdf")
        pdf = tmp_path / download.suggested_filename
        download.save_as(pdf)

        subprocess.run(["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                       check=True, timeout=60)
        png = next(tmp_path.glob("page*.png"))
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
        first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                               check=True, timeout=60).stdout
        for text in ("公共信用信息报告", "本溪市明山区恒达建材有限公司", number, "招标投标", "登记信息", "行政处罚"):
            assert text in first, text
        everything = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert EXPIRED_PENALTY.replace("〔", "").replace("〕", "") not in everything.replace("〔", "").replace("〕", "")

        page.goto(f"{base}/reports/{number}")
        verdict = page.locator("#verdict").inner_text()
        assert "核验通过" in verdict
        assert PUBLIC_PENALTY in page.locator("main").inner_text()

        key = tmp_path / "key.pem"
        with urllib.request.urlopen(f"{base}/api/v1/log/key", timeout=30) as answer:
            key.write_bytes(answer.read())
    done = verify_cli(pdf, "--public-key", str(key))  # offline: the server is gone
    assert done.returncode == 0, done.stderr
    assert f"verified: report {number}" in done.stdout
