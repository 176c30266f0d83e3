"""A store written by the code before the house was rebuilt (commit a1f7b00) replays under today's code.

tests/fixtures/legacy_store_a1f7b00.jsonl is every event that code stored for a small demo, a repair
case and an objection case taken to their outcomes, an auditor's read, a credit check and an
inspection draw (tests/fixtures/make_legacy_store.py wrote it). The golden file holds what that code
answered over HTTP. Today's code must decode every event, load every aggregate and answer the same,
except for the differences named in `EXPECTED_CHANGES` (each made on purpose since).
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from starlette.testclient import TestClient

import schemas
from domain.cases import CaseSubmitted
from gongshi.config import Settings
from gongshi.platform import Platform
from web.app import create_app

FIXTURES = Path(__file__).parent / "fixtures"
EVENTS = FIXTURES / "legacy_store_a1f7b00.jsonl"
GOLDEN = json.loads((FIXTURES / "legacy_store_a1f7b00.golden.json").read_text("utf-8"))

#: Words the glossary changed since (old -> new): the one glossary chose DOMAIN.md's terms.
RENAMED = {**schemas.glossary()["retired"], "严重失信名单记录": "严重违法失信名单记录"}
#: Keys added to answers since (new features, not changes of what was there).
ADDED_KEYS = {"annual_reports_url"}
#: Profile sections added since (the individual businesses' abnormal-state marks).
ADDED_TABS = {"abnormal"}


def _stored() -> list[dict[str, Any]]:
    return [json.loads(line) for line in EVENTS.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def legacy(tmp_path_factory):
    platform = Platform(Settings(home=tmp_path_factory.mktemp("legacy") / "home"),
                        today=dt.date.fromisoformat(GOLDEN["today"]))
    rows = _stored()
    platform.ledger.recorder.insert_events([
        StoredEvent(originator_id=UUID(r["originator_id"]), originator_version=r["originator_version"],
                    topic=r["topic"], state=r["state"].encode("utf-8")) for r in rows])
    platform.runner.catch_up()
    yield platform
    platform.close()


def _normalised(value: Any) -> Any:
    """An answer with the intended changes undone: renamed words, added keys and sections, the districts' names."""
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items() if k not in ADDED_KEYS}
    if isinstance(value, list):
        return [_normalised(v) for v in value if not (isinstance(v, dict) and v.get("tab") in ADDED_TABS)]
    if isinstance(value, str):
        for old, new in RENAMED.items():
            value = value.replace(old, new)
        return value
    return value


def _old_district_names(value: Any) -> Any:
    """The golden's district labels in today's words (the portal said 本溪市 and 无区划信息 before the glossary)."""
    if isinstance(value, dict):
        out = {k: _old_district_names(v) for k, v in value.items()}
        for key in ("district_name", "label"):
            if out.get(key) == "本溪市":
                out[key] = schemas.glossary()["districts"]["210500"]
            if out.get(key) == "无区划信息":
                out[key] = schemas.glossary()["district_none"]
        return out
    if isinstance(value, list):
        return [_old_district_names(v) for v in value]
    return value


def test_every_stored_event_decodes_and_every_aggregate_loads(legacy):
    rows = _stored()
    assert len(rows) == GOLDEN["events"] == legacy.ledger.position()
    for notification in legacy.ledger.recorder.select_notifications(start=1, limit=len(rows)):
        legacy.ledger.mapper.to_domain_event(notification)
    for aggregate_id in {UUID(r["originator_id"]) for r in rows}:
        assert legacy.ledger.repository.get(aggregate_id).id == aggregate_id


def test_version_1_case_openings_read_as_cases_about_a_record(legacy):
    opened = [r for r in _stored() if r["topic"].endswith("Case.Submitted")]
    assert len(opened) == 2 and all('"subject_type"' not in r["state"] for r in opened)  # stored at version 1
    for row in opened:
        case = legacy.ledger.repository.get(UUID(row["originator_id"]))
        first = legacy.ledger.history(case.id)[0]
        assert isinstance(first, CaseSubmitted) and first.subject_type == "record"


def test_todays_code_answers_what_the_old_code_answered(legacy):
    with TestClient(create_app(legacy, follow=False)) as client:
        for url, old in GOLDEN["answers"].items():
            answer = client.get(url)
            assert answer.status_code == old["status"], url
            assert _normalised(answer.json()) == _normalised(_old_district_names(old["body"])), url


def test_the_merkle_tree_over_the_legacy_log_has_the_root_the_old_code_signed(legacy):
    tree, _ = legacy.integrity.snapshot()
    assert tree.root(GOLDEN["log"]["tree_size"]).hex() == GOLDEN["log"]["root_hash"]
