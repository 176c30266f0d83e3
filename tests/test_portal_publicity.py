"""Publicity rules on every public surface (page, JSON, search): expiry, as_of, corrections, withdrawals."""
from __future__ import annotations

import datetime as dt

import pytest

from gongshi.platform import Platform
from tests.portal import AHEAD, client, ending_penalty, submit
from tests.records import COMPANY, SCJG, entity, penalty

YESTERDAY = AHEAD - dt.timedelta(days=1)


@pytest.fixture
def ahead(settings):
    p = Platform(settings, today=AHEAD)
    yield p
    p.close()


def withdraw(number: str) -> dict:
    return {"kind": "penalty", "action": "withdraw", "reason": "原处罚决定被依法撤销",
            "authority_code": SCJG, "document_number": number}


def penalty_ids(profile: dict) -> set[str]:
    section = next(s for s in profile["sections"] if s["tab"] == "penalties")
    return {r["id"] for r in section["items"]}


def search_ids(c, q: str, **params) -> set[str]:
    body = c.get("/api/v1/search", params={"q": q, **params}).json()
    return {h["id"] for h in body["hits"]}


def test_penalty_whose_window_ended_yesterday_is_absent_today_everywhere(ahead):
    expired = ending_penalty(1, YESTERDAY, violation_type="销售过期食品")
    current = ending_penalty(2, AHEAD + dt.timedelta(days=30))
    result = submit(ahead, entity(), expired, current)
    gone, kept = result.items[1].record_id, result.items[2].record_id
    with client(ahead) as c:
        assert c.get(f"/records/{gone}").status_code == 404
        assert c.get(f"/api/v1/records/{gone}").status_code == 404
        assert c.get(f"/records/{kept}").status_code == 200
        profile = c.get(f"/api/v1/entities/{COMPANY}").json()
        assert penalty_ids(profile) == {kept}
        page = c.get(f"/entities/{COMPANY}", params={"tab": "penalties"}).text
        assert expired["document_number"] not in page and current["document_number"] in page
        assert search_ids(c, "销售过期食品") == set()
        assert gone not in search_ids(c, "恒达建材") and kept in search_ids(c, "恒达建材")
        assert "销售过期食品" not in c.get("/search", params={"q": "恒达建材"}).text
        summary = c.get("/api/v1/summary").json()
        assert {k["kind"]: k["count"] for k in summary["by_kind"]}["penalty"] == 1


def test_expired_penalty_is_present_as_of_an_earlier_date(ahead):
    expired = ending_penalty(1, YESTERDAY, violation_type="销售过期食品")
    gone = submit(ahead, entity(), expired).items[1].record_id
    earlier = (AHEAD - dt.timedelta(days=2)).isoformat()
    with client(ahead) as c:
        body = c.get(f"/api/v1/records/{gone}", params={"as_of": earlier}).json()
        assert body["record"]["id"] == gone and body["today"] == earlier and body["position"] == 2
        assert c.get(f"/records/{gone}", params={"as_of": earlier}).status_code == 200
        profile = c.get(f"/api/v1/entities/{COMPANY}", params={"as_of": earlier}).json()
        assert penalty_ids(profile) == {gone}
        assert search_ids(c, "销售过期食品", as_of=earlier) == {gone}
        assert search_ids(c, "销售过期食品") == set()
        page = c.get("/search", params={"q": "销售过期食品", "as_of": earlier}).text
        assert f"/records/{gone}?as_of={earlier}" in page and "历史视图" in page


def test_as_of_a_time_before_the_first_event_shows_nothing(ahead):
    submit(ahead, entity(), penalty(1))
    with client(ahead) as c:
        body = c.get("/api/v1/search", params={"q": "恒达", "as_of": "2020-01-01T08:00:00+08:00"}).json()
        assert body["position"] == 0 and body["total"] == 0 and body["source"] == "history"
        assert c.get(f"/api/v1/entities/{COMPANY}", params={"as_of": "2020-01-01"}).status_code == 404


def test_correction_shows_the_current_version_everywhere(platform):
    first = submit(platform, entity(), penalty(1, violation_type="销售劣质钢筋")).items[1]
    submit(platform, penalty(1, action="correct", reason="违法行为类型录入错误", violation_type="销售不合格水泥"))
    with client(platform) as c:
        body = c.get(f"/api/v1/records/{first.record_id}").json()
        assert body["record"]["fields"]["violation_type"] == "销售不合格水泥" and body["record"]["version"] == 2
        assert [(v["event"], v["reason"]) for v in body["versions"]] == [
            ("recorded", None), ("corrected", "违法行为类型录入错误")]
        assert body["versions"][1]["changed"] == ["violation_type"]
        page = c.get(f"/records/{first.record_id}").text
        assert "销售不合格水泥" in page and "违法行为类型录入错误" in page and "销售劣质钢筋" not in page
        assert search_ids(c, "销售劣质钢筋") == set()
        assert search_ids(c, "不合格水泥") == {first.record_id}
        old = c.get(f"/api/v1/records/{first.record_id}", params={"as_of": first.position}).json()
        assert old["record"]["fields"]["violation_type"] == "销售劣质钢筋" and len(old["versions"]) == 1
        assert search_ids(c, "销售劣质钢筋", as_of=first.position) == {first.record_id}


def test_withdrawn_record_disappears_from_every_public_view(platform):
    result = submit(platform, entity(), penalty(1), penalty(2))
    gone, kept = result.items[1].record_id, result.items[2].record_id
    submit(platform, withdraw(penalty(1)["document_number"]))
    with client(platform) as c:
        response = c.get(f"/records/{gone}")
        assert response.status_code == 410 and "撤回" in response.text and "钢筋" not in response.text
        assert c.get(f"/api/v1/records/{gone}").json()["error"]["code"] == "withdrawn"
        assert penalty_ids(c.get(f"/api/v1/entities/{COMPANY}").json()) == {kept}
        assert search_ids(c, "恒达建材", kind="penalty") == {kept}
        assert gone not in c.get("/").text and gone not in c.get("/api/v1/summary").text


def test_profile_of_an_outside_entity_goes_with_its_last_public_record(platform):
    outside = penalty(1, credit_code="91350100M000100Y43", party_name="福州某某贸易有限公司")
    submit(platform, outside)
    with client(platform) as c:
        body = c.get("/api/v1/entities/91350100M000100Y43").json()
        assert body["entity"]["registered_in_city"] is False and body["entity"]["name"] == "福州某某贸易有限公司"
        submit(platform, withdraw(outside["document_number"]))
        assert c.get("/api/v1/entities/91350100M000100Y43").status_code == 404
        assert search_ids(c, "福州某某贸易") == set()


def test_minor_penalty_that_is_not_published_never_appears(platform):
    minor = penalty(1, categories=["警告"], content="警告", fine=None, confiscation=None,
                    decision_date="2026-06-01", procedure="简易程序")
    minor = {k: v for k, v in minor.items() if v is not None}
    record_id = submit(platform, entity(), minor).items[1].record_id
    with client(platform) as c:
        assert c.get(f"/api/v1/records/{record_id}").status_code == 404
        assert search_ids(c, "恒达建材", kind="penalty") == set()


def test_objection_under_review_is_flagged_and_a_repaired_penalty_leaves_every_view(platform):
    from domain.cases import Actor
    from tests.conftest import TODAY

    first, second = submit(platform, entity(), penalty(1), penalty(2)).items[1:]
    firm, reviewer = Actor.firm(COMPANY), Actor.reviewer("token:scjg", SCJG)
    materials = [{"role": "proof", "sha256": "a" * 64, "content_type": "application/pdf", "size": 10, "name": "收据.pdf"},
                 {"role": "commitment", "sha256": "b" * 64, "content_type": "image/png", "size": 10, "name": "承诺书.png"}]
    number, _ = platform.cases.raise_objection(firm, first.record_id, ["wrong"], "金额有误", materials[:1], TODAY)
    platform.cases.step(reviewer, number, "accept", None, TODAY)
    case, _ = platform.cases.apply_for_repair(firm, second.record_id, materials, "罚款已缴清", TODAY)
    platform.cases.step(reviewer, case, "accept", None, TODAY)
    platform.cases.step(reviewer, case, "approve", "材料齐全，准予修复", TODAY)
    platform.runner.catch_up()
    with client(platform) as c:
        body = c.get(f"/api/v1/records/{first.record_id}").json()
        assert body["record"]["objection"] is True
        assert body["versions"][-1]["event"] == "objection_opened" and body["versions"][-1]["reason"] is None
        assert "异议处理中" in c.get(f"/records/{first.record_id}").text
        assert "异议处理中" in c.get(f"/entities/{COMPANY}", params={"tab": "penalties"}).text
        assert c.get(f"/api/v1/records/{second.record_id}").status_code == 404
        assert penalty_ids(c.get(f"/api/v1/entities/{COMPANY}").json()) == {first.record_id}
        assert search_ids(c, "恒达建材", kind="penalty") == {first.record_id}
