"""Early warnings: each rule of schemas/warnings.json on hand-built cases, and through the projection.

Rules: W01 three penalties within 12 months; W02 a broken commitment within 24 months; W03 on
the anomaly list while holding a licence in force; W04 a change of legal representative
within 90 days after a penalty, the change itself within the last 12 months.
"""
from __future__ import annotations

from starlette.testclient import TestClient

from domain import warnings
from schemas import supervision as config
from tests.conftest import TODAY
from tests.records import COMPANY, entity, penalty
from tests.supervision_records import anomaly, anomaly_removal, commitment, fact, licence, submit
from web.app import create_app

RULES = warnings.rules_for(config.warnings(), TODAY)


def raised(records, versions=()):
    subject = {"entity_key": COMPANY, "status": "存续", "versions": list(versions)}
    return {w.rule: w for w in warnings.evaluate(RULES, subject, records, TODAY)}


def test_three_penalties_within_twelve_months_raise_w01():
    records = [fact("penalty", d, n) for n, d in enumerate(("2026-01-05", "2026-06-01", "2026-11-20"))]
    w = raised(records)["W01"]
    assert w.level == "high" and "3 次" in w.message
    assert [r["record_id"] for r in w.records] == ["penalty-0", "penalty-1", "penalty-2"]


def test_two_recent_penalties_or_an_old_third_raise_nothing():
    assert raised([fact("penalty", "2026-06-01", 1), fact("penalty", "2026-11-20", 2)]) == {}
    assert raised([fact("penalty", "2025-11-24", 1), fact("penalty", "2026-06-01", 2),
                   fact("penalty", "2026-11-20", 3)]) == {}


def test_a_broken_commitment_raises_w02_until_it_is_two_years_old():
    assert raised([fact("commitment", "2025-01-01", fulfilment="未履约")])["W02"].records[0]["record_id"] == "commitment-1"
    assert raised([fact("commitment", "2024-11-24", fulfilment="未履约")]) == {}
    assert raised([fact("commitment", "2026-01-01", fulfilment="已履约")]) == {}


def test_anomaly_listing_with_a_licence_in_force_raises_w03():
    live = fact("license", "2025-01-10", 2, valid_from="2025-01-10", valid_to="2030-01-09")
    expired = fact("license", "2020-01-10", 3, valid_from="2020-01-10", valid_to="2025-01-09")
    w = raised([fact("anomaly_listing", "2026-05-10", 1), live, expired])["W03"]
    assert [r["record_id"] for r in w.records] == ["anomaly_listing-1", "license-2"]
    assert raised([fact("anomaly_listing", "2026-05-10", 1), expired]) == {}


def versions(change_date, before="王建国", after="李明"):
    return [{"position": 1, "version": 1, "legal_representative": before, "change_date": "2015-06-18"},
            {"position": 9, "version": 2, "legal_representative": after, "change_date": change_date}]


def test_representative_change_soon_after_a_penalty_raises_w04():
    w = raised([fact("penalty", "2026-03-01", 1)], versions("2026-05-01"))["W04"]
    assert "2026-05-01" in w.message and "王建国" in w.message and "李明" in w.message and "61 天" in w.message
    assert w.records[0] == {"entity_version": 2, "position": 9, "change_date": "2026-05-01"}
    assert w.records[1]["record_id"] == "penalty-1"


def test_no_w04_for_a_late_change_an_old_change_or_the_same_person():
    penalty_ = [fact("penalty", "2025-10-01", 1)]
    assert raised(penalty_, versions("2026-05-01")) == {}  # 212 days after the penalty
    assert raised([fact("penalty", "2025-09-01", 1)], versions("2025-10-01")) == {}  # the change is over a year old
    assert raised([fact("penalty", "2026-03-01", 1)], versions("2026-05-01", after="王建国")) == {}


def test_warnings_through_the_projection(platform):
    submit(platform, entity(), penalty(1, decision_date="2026-09-01"), licence(1), anomaly(1), commitment(1))
    submit(platform, entity(legal_representative="李明", change_date="2026-10-15"))
    row = platform.grades.of(COMPANY)
    assert [w["rule"] for w in row["warnings"]] == ["W02", "W03", "W04"]
    assert row["warning_rules"] == "W02,W03,W04"
    submit(platform, anomaly_removal(1, decision_date="2026-11-01"))
    assert [w["rule"] for w in platform.grades.of(COMPANY)["warnings"]] == ["W02", "W04"]


def test_warnings_api_lists_entities_by_rule(platform):
    submit(platform, entity(), licence(1), anomaly(1), commitment(1))
    token = platform.tokens.create(department=None, role="auditor")
    with TestClient(create_app(platform, follow=False)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        everything = client.get("/api/v1/warnings", headers=headers).json()
        w03 = client.get("/api/v1/warnings", params={"rule": "W03"}, headers=headers).json()
        none = client.get("/api/v1/warnings", params={"rule": "W04"}, headers=headers).json()
    assert everything["total"] == w03["total"] == 1 and none["total"] == 0
    [item] = w03["items"]
    assert item["entity_key"] == COMPANY and [w["rule"] for w in item["warnings"]] == ["W02", "W03"]
    assert w03["recorded_as"]["position"] > 0
