"""Helpers for the repair, objection, account and upload tests: firms, reviewers, files, HTTP."""
from __future__ import annotations

import re
from typing import Any

from domain.records import record_id
from tests.records import COMPANY, SCJG, penalty

OTHER_COMPANY = "91350100M000100Y43"  # a valid code of another firm
PASSWORD = "Benxi-credit-2026"

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def rid(n: int = 1, kind: str = "penalty", authority: str = SCJG) -> str:
    """The record id of test penalty n (tests.records.penalty)."""
    return str(record_id(kind, authority, f"本市监罚〔2024〕{n}号"))


def other_penalty(n: int = 90) -> dict[str, Any]:
    """A penalty about another firm."""
    return penalty(n, credit_code=OTHER_COMPANY, party_name="福州某某贸易有限公司")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def activate(client: Any, platform: Any, code: str = COMPANY, password: str = PASSWORD) -> str:
    """Create a firm account, activate it over HTTP (which logs in) and return the session's CSRF token."""
    token = platform.accounts.create(code)
    page = client.get(f"/firm/activate/{token}")
    answer = client.post(f"/firm/activate/{token}", data={"csrf": csrf_of(page.text), "password": password,
                                                          "confirm": password}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/firm").text)


def login(client: Any, code: str = COMPANY, password: str = PASSWORD) -> Any:
    page = client.get("/firm/login")
    return client.post("/firm/login", data={"csrf": csrf_of(page.text), "credit_code": code, "password": password},
                       follow_redirects=False)


def reviewer(platform: Any, department: str = SCJG) -> dict[str, str]:
    return {"Authorization": f"Bearer {platform.tokens.create(department=department, role='reviewer')}"}


def repair_files(proof: bytes = PDF, commitment: bytes = PNG, proof_name: str = "缴款凭证.pdf") -> list[tuple]:
    return [("proof", (proof_name, proof, "application/pdf")), ("commitment", ("承诺书.png", commitment, "image/png"))]


def apply_repair(client: Any, csrf: str, record: str, files: list[tuple] | None = None, **extra: Any) -> Any:
    """POST /api/v1/repairs as the logged-in firm."""
    return client.post("/api/v1/repairs", data={"record_id": record, "statement": "罚款已缴清，已整改", **extra},
                       files=files if files is not None else repair_files(), headers={"X-CSRF-Token": csrf})


def step(client: Any, headers: dict[str, str], kind: str, number: str, name: str, **body: Any) -> Any:
    return client.post(f"/api/v1/{kind}s/{number}/{name}", json=body, headers=headers)


def public_ids(platform: Any, today: str = "2026-11-25") -> set[str]:
    """Record ids the public may see today, by the one public predicate."""
    from projections.public import Moment, public_clause

    clause, params = public_clause(Moment(None, today))
    return {r["record_id"] for r in platform.views_db.query(f"SELECT record_id FROM v_records r WHERE {clause}", params)}


def firm_in_browser(browser: Any, base: str, activation: str, password: str = PASSWORD) -> Any:
    """A new browser page for a firm: its account activated over the real pages (which logs it in) at /firm."""
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{base}/firm/activate/{activation}")
    page.get_by_label("设置密码").fill(password)
    page.get_by_label("再次输入密码").fill(password)
    page.get_by_role("button", name="设置密码并登录").click()
    page.wait_for_url(f"{base}/firm")
    return page


def reviewer_in_browser(browser: Any, base: str, token: str) -> Any:
    """A new browser page for a department's reviewer, logged in with its token, at /reviewer."""
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{base}/reviewer/login")
    page.get_by_label("审核令牌").fill(token)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/reviewer")
    return page
