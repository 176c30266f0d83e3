"""The portal through a real uvicorn server on a loopback port, with the log follower running."""
from __future__ import annotations

import datetime as dt
import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest

from gongshi.platform import Platform
from tests.portal import AHEAD, ending_penalty, served, submit
from tests.records import COMPANY, SCJG, entity


@pytest.fixture
def ahead(settings):
    p = Platform(settings, today=AHEAD)
    yield p
    p.close()


def test_over_real_http_a_submission_is_searchable_at_once_and_expired_penalties_stay_hidden(ahead):
    expired = ending_penalty(1, AHEAD - dt.timedelta(days=1), violation_type="销售过期食品")
    submit(ahead, entity(), expired)
    token = ahead.tokens.create(department=SCJG, role="submitter")
    fresh = ending_penalty(2, AHEAD + dt.timedelta(days=90), violation_type="销售无标签预包装食品")
    with served(ahead) as base, httpx.Client(base_url=base, timeout=10) as http:
        started = time.monotonic()
        response = http.post("/api/v1/records", content=json.dumps(fresh, ensure_ascii=False),
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        assert response.status_code == 200
        hits = http.get("/api/v1/search", params={"q": "无标签预包装"}).json()["hits"]
        assert [h["id"] for h in hits] == [response.json()["items"][0]["record_id"]]
        assert time.monotonic() - started < 1.0
        page = http.get(f"/entities/{COMPANY}")
        assert page.status_code == 200
        assert fresh["document_number"] in page.text and expired["document_number"] not in page.text
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: http.get(f"/api/v1/entities/{COMPANY}").status_code, range(40)))
        assert statuses == [200] * 40
        assert http.get("/api/v1/search", params={"q": "销售过期食品"}).json()["total"] == 0
        assert http.get("/search", params={"q": "x", "page": "-3"}).status_code == 400


def test_a_record_stored_by_another_writer_is_searchable_within_a_second_through_the_follower(ahead):
    submit(ahead, entity())
    with served(ahead) as base, httpx.Client(base_url=base, timeout=10) as http:
        late = ending_penalty(3, AHEAD + dt.timedelta(days=90), violation_type="擅自改变食品经营场所")
        started = time.monotonic()
        stored = ahead.records.submit([late], department=SCJG, submitter="import", visible=False)  # as a CLI import
        record_id = stored.items[0].record_id
        while record_id not in {h["id"] for h in http.get("/api/v1/search", params={"q": "擅自改变"}).json()["hits"]}:
            assert time.monotonic() - started < 1.0, "not searchable within one second"
            time.sleep(0.02)
