"""The auditors' API: full histories with private fields, and every privileged read in the log.

Runs on real SQLite and real PostgreSQL through the real app (TestClient).
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from starlette.testclient import TestClient

from domain.audit import READ_TOPIC
from tests.records import COMPANY, SCJG, entity, penalty
from web.app import create_app

ID_NUMBER = "11010519491231002X"


@pytest.fixture
def client(platform):
    with TestClient(create_app(platform, follow=False), raise_server_exceptions=False) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auditor(platform) -> str:
    return platform.tokens.create(department=None, role="auditor", label="审计一处 张审计")


@pytest.fixture
def submitted(platform, client) -> dict:
    """An entity, two penalties, a correction and a withdrawal, sent over HTTP with a department token."""
    token = platform.tokens.create(department=SCJG, role="submitter", label="市场监管局 数据报送")
    items = [entity(), penalty(1), penalty(2), penalty(1, action="correct", reason="金额有误", fine=5),
             {"kind": "penalty", "action": "withdraw", "reason": "决定被撤销", "authority_code": SCJG,
              "document_number": "本市监罚〔2024〕2号"}]
    answers = [client.post("/api/v1/records", content=json.dumps(i, ensure_ascii=False), headers=bearer(token)).json()
               for i in items]
    return {"token_id": token.split("_")[1], "answers": answers}


def reads(platform) -> list:
    return list(platform.ledger.recorder.select_notifications(0, 1000, topics=[READ_TOPIC], inclusive_of_start=False))


def test_record_history_has_every_event_with_position_leaf_department_token_and_private_fields(client, auditor, submitted):
    record_id = submitted["answers"][1]["items"][0]["record_id"]
    body = client.get(f"/api/v1/audit/records/{record_id}/history", headers=bearer(auditor)).json()
    events = body["events"]
    assert [e["event"] for e in events] == ["Record.Recorded", "Record.Corrected"]
    assert [(e["position"], e["leaf_index"], e["version"]) for e in events] == [(2, 1, 1), (4, 3, 2)]
    token_id = submitted["token_id"]
    for event in events:
        assert event["department"] == SCJG and event["time"]
        assert event["submitter"] == {"identity": f"token:{token_id}", "token": {
            "department": SCJG, "role": "submitter", "label": "市场监管局 数据报送", "revoked_at": None}}
    assert events[0]["data"]["fields"]["legal_representative"] == "王建国"
    assert events[1]["data"]["reason"] == "金额有误" and Decimal(events[1]["data"]["fields"]["fine"]) == 5
    assert body["recorded_as"]["position"] == 6 and body["recorded_as"]["leaf_index"] == 5


def test_entity_history_includes_its_registration_with_the_full_id_number_and_every_record_about_it(
        client, auditor, submitted):
    body = client.get(f"/api/v1/audit/entities/{COMPANY.lower()}/history", headers=bearer(auditor)).json()
    assert body["credit_code"] == COMPANY and len(body["records"]) == 2
    assert [e["position"] for e in body["events"]] == [1, 2, 3, 4, 5]
    assert [e["event"] for e in body["events"]] == [
        "Entity.Registered", "Record.Recorded", "Record.Recorded", "Record.Corrected", "Record.Withdrawn"]
    registered = body["events"][0]["data"]["fields"]
    assert registered["legal_representative_id_number"] == ID_NUMBER and registered["phone"] == "13812345678"
    assert body["events"][4]["data"]["reason"] == "决定被撤销"


def test_every_privileged_read_is_in_the_log_and_visible_to_another_auditor(platform, client, auditor, submitted):
    record_id = submitted["answers"][1]["items"][0]["record_id"]
    client.get(f"/api/v1/audit/records/{record_id}/history", headers=bearer(auditor))
    client.get(f"/api/v1/audit/entities/{COMPANY}/history", headers=bearer(auditor))
    client.get("/api/v1/audit/events", params={"start": 2, "limit": 2}, headers=bearer(auditor))
    other = platform.tokens.create(department=None, role="auditor", label="审计二处")
    body = client.get("/api/v1/audit/reads", headers=bearer(other)).json()
    first_id = auditor.split("_")[1]
    listed = [(e["data"]["reader"], e["data"]["action"], e["data"]["subject"]) for e in body["events"]]
    assert listed == [
        (f"token:{first_id}", "audit.record_history", record_id),
        (f"token:{first_id}", "audit.entity_history", COMPANY),
        (f"token:{first_id}", "audit.events", "log from position 2"),
        (f"token:{other.split('_')[1]}", "audit.reads", "reads from position 1"),  # this very listing
    ]
    assert [e["position"] for e in body["events"]] == [6, 7, 8, 9]
    assert [e["leaf_index"] for e in body["events"]] == [5, 6, 7, 8]
    assert body["events"][2]["data"]["detail"] == {"start": 2, "limit": 2}
    assert all(e["data"]["role"] == "auditor" and e["time"] for e in body["events"])
    assert len(reads(platform)) == 4


def test_raw_log_pages_in_order_with_a_cursor(platform, client, auditor, submitted):
    seen, start = [], 1
    while start is not None:
        page = client.get("/api/v1/audit/events", params={"start": start, "limit": 2}, headers=bearer(auditor)).json()
        seen += page["events"]
        start = page["next"]
    # each page is itself recorded, so the log grows while it is read: the reads are in it too
    positions = [e["position"] for e in seen]
    assert positions == list(range(1, len(positions) + 1)) and len(positions) > 5
    assert [e["event"] for e in seen[:5]] == [
        "Entity.Registered", "Record.Recorded", "Record.Recorded", "Record.Corrected", "Record.Withdrawn"]
    assert all(e["event"] == "PrivilegedRead.Recorded" for e in seen[5:])
    assert [e["leaf_index"] for e in seen] == [p - 1 for p in positions]
    assert seen[0]["data"]["fields"]["legal_representative_id_number"] == ID_NUMBER


@pytest.mark.parametrize("role", ["submitter", "reviewer", "publisher"])
def test_other_roles_get_403_on_every_audit_endpoint_and_nothing_is_recorded(platform, client, submitted, role):
    token = platform.tokens.create(department=SCJG, role=role)
    record_id = submitted["answers"][1]["items"][0]["record_id"]
    for path in ("/api/v1/audit/events", "/api/v1/audit/reads", f"/api/v1/audit/records/{record_id}/history",
                 f"/api/v1/audit/entities/{COMPANY}/history"):
        assert client.get(path, headers=bearer(token)).status_code == 403, path
        assert client.get(path).status_code == 401, path
    assert reads(platform) == []


def test_unknown_or_malformed_subjects_and_bad_pages(platform, client, auditor):
    assert client.get("/api/v1/audit/records/not-a-uuid/history", headers=bearer(auditor)).status_code == 400
    missing = client.get("/api/v1/audit/records/6ba7b812-9dad-11d1-80b4-00c04fd430c8/history", headers=bearer(auditor))
    assert missing.status_code == 404
    assert client.get(f"/api/v1/audit/entities/{COMPANY}/history", headers=bearer(auditor)).status_code == 404
    for params in ({"limit": 0}, {"limit": 1001}, {"start": "x"}, {"start": -1}):
        response = client.get("/api/v1/audit/events", params=params, headers=bearer(auditor))
        assert response.status_code == 400 and response.json()["error"]["parameter"] in params
    assert len(reads(platform)) == 2  # the two lookups that found nothing were still recorded
