"""Firm accounts and sessions: one-time activation, argon2, lockout, cookies, CSRF, reviewer sign-in."""
from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from gongshi.cli import main
from tests.casework import OTHER_COMPANY, PASSWORD, activate, csrf_of, login
from tests.records import COMPANY, SCJG
from stores.accounts import AccountError
from web.app import create_app


@pytest.fixture
def client(platform):
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


def test_the_cli_prints_a_one_time_activation_link(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGSHI_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GONGSHI_DATABASE_URL", raising=False)
    runner = CliRunner()
    created = runner.invoke(main, ["account", "create", "--credit-code", COMPANY.lower(),
                                   "--base-url", "https://xy.benxi.gov.cn/"])
    assert created.exit_code == 0, created.output
    assert created.stdout.startswith("https://xy.benxi.gov.cn/firm/activate/")
    again = runner.invoke(main, ["account", "create", "--credit-code", COMPANY])
    assert again.exit_code == 2 and "--reissue" in again.output
    assert runner.invoke(main, ["account", "create", "--credit-code", COMPANY, "--reissue"]).exit_code == 0
    bad = runner.invoke(main, ["account", "create", "--credit-code", COMPANY[:-1] + "0"])
    assert bad.exit_code == 2 and "check character" in bad.output


def test_activation_sets_the_password_once_and_logs_in(client, platform):
    token = platform.accounts.create(COMPANY)
    page = client.get(f"/firm/activate/{token}")
    assert page.status_code == 200 and COMPANY in page.text
    answer = client.post(f"/firm/activate/{token}", data={"csrf": csrf_of(page.text), "password": PASSWORD,
                                                          "confirm": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/firm"
    assert client.get("/firm").status_code == 200
    assert client.get(f"/firm/activate/{token}").status_code == 410  # spent
    stored = platform.auth_db.query("SELECT password_hash, activation_hash FROM firm_accounts")[0]
    assert stored["password_hash"].startswith("$argon2id$") and stored["activation_hash"] is None


@pytest.mark.parametrize("password, confirm, code", [
    ("short-1", "short-1", "too_short"),
    (PASSWORD, PASSWORD + "x", "mismatch"),
    ("aaaaaaaaaaaa", "aaaaaaaaaaaa", "weak"),
    (f"x{COMPANY}", f"x{COMPANY}", "weak"),
])
def test_weak_or_mismatched_passwords_are_refused(platform, password, confirm, code):
    token = platform.accounts.create(COMPANY)
    with pytest.raises(AccountError) as refused:
        platform.accounts.activate(token, password, confirm)
    assert refused.value.code == code and refused.value.zh
    assert platform.accounts.activation(token) == COMPANY  # still usable


def test_an_expired_activation_link_is_refused(client, platform):
    token = platform.accounts.create(COMPANY)
    platform.auth_db.execute("UPDATE firm_accounts SET activation_expires='2000-01-01T00:00:00+00:00'")
    assert client.get(f"/firm/activate/{token}").status_code == 410


def test_session_cookie_is_httponly_samesite_lax_and_logout_ends_it(client, platform):
    activate(client, platform)
    client.cookies.clear()
    answer = login(client)
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "gongshi_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    stolen = answer.cookies["gongshi_session"]
    page = client.get("/firm")
    assert page.status_code == 200
    assert client.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False).status_code == 303
    replay = TestClient(client.app, cookies={"gongshi_session": stolen})
    assert replay.get("/firm", follow_redirects=False).status_code == 303  # to the login page
    gone = hashlib.sha256(stolen.encode()).hexdigest()
    assert not platform.auth_db.query("SELECT 1 FROM web_sessions WHERE id_hash=?", (gone,))


def test_login_replaces_a_planted_session(client, platform):
    activate(client, platform)
    client.cookies.clear()
    client.get("/firm/login")
    planted = client.cookies["gongshi_session"]
    login(client)
    assert client.cookies["gongshi_session"] != planted
    assert TestClient(client.app, cookies={"gongshi_session": planted}).get(
        "/firm", follow_redirects=False).status_code == 303


def test_wrong_password_and_unknown_code_get_the_same_answer(client, platform):
    activate(client, platform)
    client.cookies.clear()
    wrong = login(client, password="not-the-password")
    unknown = login(client, code=OTHER_COMPANY)
    assert wrong.status_code == unknown.status_code == 401
    assert "统一社会信用代码或密码错误" in wrong.text and "统一社会信用代码或密码错误" in unknown.text


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, platform):
    activate(client, platform)
    client.cookies.clear()
    limit = platform.accounts.policy.max_failures
    for _ in range(limit):
        assert login(client, password="wrong-password-1").status_code == 401
    locked = login(client)
    assert locked.status_code == 423 and "账户已锁定" in locked.text
    platform.auth_db.execute("UPDATE firm_accounts SET locked_until='2000-01-01T00:00:00+00:00'")
    assert login(client).status_code == 303


def test_forms_without_the_sessions_csrf_token_are_refused(client, platform):
    activate(client, platform)
    client.cookies.clear()
    client.get("/firm/login")
    forged = client.post("/firm/login", data={"credit_code": COMPANY, "password": PASSWORD}, follow_redirects=False)
    assert forged.status_code == 403 and "表单已过期或来源不明" in forged.text
    stranger = TestClient(client.app)
    page = stranger.get("/firm/login")
    foreign = client.post("/firm/login", data={"csrf": csrf_of(page.text), "credit_code": COMPANY,
                                               "password": PASSWORD}, follow_redirects=False)
    assert foreign.status_code == 403  # another session's token is worthless here


def test_pages_need_a_firm_session_and_login_never_redirects_off_site(client, platform):
    assert client.get("/firm", follow_redirects=False).headers["location"] == "/firm/login?next=/firm"
    activate(client, platform)
    client.cookies.clear()
    page = client.get("/firm/login?next=https://evil.example/")
    answer = client.post("/firm/login?next=https://evil.example/", data={
        "csrf": csrf_of(page.text), "credit_code": COMPANY, "password": PASSWORD}, follow_redirects=False)
    assert answer.headers["location"] == "/firm"


def test_a_reviewer_signs_in_with_a_reviewer_token_and_is_out_when_it_is_revoked(client, platform):
    page = client.get("/reviewer/login")
    submitter = platform.tokens.create(department=SCJG, role="submitter")
    refused = client.post("/reviewer/login", data={"csrf": csrf_of(page.text), "token": submitter})
    assert refused.status_code == 403 and "审核人员令牌" in refused.text
    token = platform.tokens.create(department=SCJG, role="reviewer")
    page = client.get("/reviewer/login")
    assert client.post("/reviewer/login", data={"csrf": csrf_of(page.text), "token": token},
                       follow_redirects=False).status_code == 303
    assert "本溪市市场监督管理局" in client.get("/reviewer").text
    assert client.get("/firm", follow_redirects=False).status_code == 303  # a reviewer is not a firm
    platform.tokens.revoke(token.split("_")[1])
    assert client.get("/reviewer", follow_redirects=False).status_code == 303
