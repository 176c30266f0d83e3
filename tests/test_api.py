"""The submission API over HTTP: auth, per-item answers, read-your-writes, bad input never a 500."""
from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from tests.records import JTYS, SCJG, penalty
from web.app import create_app


@pytest.fixture
def client(platform):
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def token(platform):
    return platform.tokens.create(department=SCJG, role="submitter")


def post(client, token, body, **kw):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    data = body if isinstance(body, (bytes, str)) else json.dumps(body, ensure_ascii=False)
    return client.post("/api/v1/records", content=data, headers=headers, **kw)


def test_health_names_the_store_and_the_log_position(client, platform, store):
    body = client.get("/api/v1/health").json()
    assert body == {"store": store, "position": 0, "views_position": 0}


def test_catalog_lists_departments_and_the_source_of_each_kind(client):
    body = client.get("/api/v1/catalog").json()
    assert any(d["code"] == SCJG for d in body["departments"])
    assert body["kinds"]["anomaly_listing"]["department"]["code"] == SCJG
    assert body["kinds"]["dishonesty_listing"]["by_list_type"]["失信被执行人"]["name"] == "本溪市中级人民法院"


def test_accepted_submission_is_visible_in_the_read_models_when_answered(client, token, platform):
    response = post(client, token, [penalty(1), penalty(2)])
    assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {"accepted": 2, "duplicate": 0, "rejected": 0}
    assert [i["position"] for i in body["items"]] == [1, 2]
    assert platform.runner.position() == 2
    assert len(platform.views_db.query("SELECT 1 FROM v_records")) == 2


def test_one_object_is_accepted_like_a_batch_of_one(client, token):
    response = post(client, token, penalty())
    assert response.status_code == 200 and response.json()["items"][0]["status"] == "accepted"


def test_mixed_batch_answers_207_with_field_errors_per_item(client, token):
    response = post(client, token, [penalty(1), penalty(2, decision_date="2099-12-31")])
    assert response.status_code == 207
    items = response.json()["items"]
    assert items[0]["status"] == "accepted"
    assert items[1]["errors"][0]["field"] == "decision_date"
    assert items[1]["errors"][0]["message_zh"] and items[1]["errors"][0]["message_en"]


def test_correction_and_withdrawal_over_http(client, token, platform):
    post(client, token, penalty())
    corrected = post(client, token, penalty(action="correct", reason="金额有误", fine=5))
    withdrawn = post(client, token, {"kind": "penalty", "action": "withdraw", "reason": "决定被撤销",
                                     "authority_code": SCJG, "document_number": "本市监罚〔2024〕1号"})
    assert corrected.json()["items"][0]["status"] == withdrawn.json()["items"][0]["status"] == "accepted"
    assert platform.ledger.position() == 3


def test_department_submitting_outside_its_catalog_gets_403_item_errors(client, platform):
    other = platform.tokens.create(department=JTYS, role="submitter")
    response = post(client, other, penalty(source_unit_code=JTYS))
    assert response.status_code == 422
    assert response.json()["items"][0]["errors"][0]["code"] == "not_the_source"


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Bearer gs_abc_def"])
def test_missing_or_wrong_token_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.post("/api/v1/records", content=b"[]", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["message_en"]


def test_revoked_or_expired_token_is_403(client, platform):
    revoked = platform.tokens.create(department=SCJG, role="submitter")
    platform.tokens.revoke(revoked.split("_")[1])
    assert post(client, revoked, penalty()).status_code == 403
    expired = platform.tokens.create(department=SCJG, role="submitter", days=-1)
    assert post(client, expired, penalty()).status_code == 403


def test_token_of_another_role_cannot_submit(client, platform):
    auditor = platform.tokens.create(department=None, role="auditor")
    assert post(client, auditor, penalty()).status_code == 403


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe", b"[1, 2", "null", "[]", "[1]", '"text"'])
def test_malformed_bodies_get_4xx_never_500(client, token, body):
    response = post(client, token, body)
    assert 400 <= response.status_code < 500, response.text
    assert "error" in response.json() or response.json()["counts"]["rejected"] >= 1


def test_oversize_body_gets_413_naming_the_limit(client, token, platform):
    limit = platform.settings.max_body
    response = post(client, token, b"[" + b" " * (limit + 10) + b"]")
    assert response.status_code == 413
    assert response.json()["error"]["limit"] == limit


def test_unknown_path_and_method_are_json_errors(client):
    assert client.get("/api/v1/nothing").status_code == 404
    assert client.get("/api/v1/records").status_code == 405


def test_unknown_page_is_an_html_page_for_browsers_and_json_for_clients(client):
    page = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "text/html" in page.headers["content-type"] and "没有找到" in page.text
    api = client.get("/api/v1/no-such-thing", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
