"""A store written by the code before the house was rebuilt (commit a1f7b00) replays under today's code.

tests/fixtures/legacy_store_a1f7b00.jsonl is every event that code stored (tests/fixtures/make_legacy_store.py
wrote it, the same bytes on every run): a small demo, then every step of its two case kinds taken through
its HTTP API (13 cases: repairs approved, refused, rejected, withdrawn, revoked and one open; objections
maintained, not accepted, sent back for material then corrected, withdrawn, resolved by withdrawing the
record, supplemented and one open), an auditor's read, a credit check and an inspection draw: every one of
the 31 event types that code could write. The golden file holds what that code answered over HTTP, to the
public and to the deciding department. Today's code must decode every event, load every aggregate and
answer the same, except for the differences named below, each made on purpose since:

- the glossary's renamed words (`RENAMED`) and the districts' names (`_old_district_names`);
- keys added to answers by new features (`ADDED_KEYS`);
- a case's opening is now stored at class_version 2 with `subject_type`; the version-1 openings here are
  read as cases about a record (`subject_type == "record"`), which no answer shows.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic
from starlette.testclient import TestClient

import schemas
from domain.cases import Actor, Case, CaseSubmitted, Docket
from gongshi.config import Settings
from gongshi.platform import Platform
from tests.casework import reviewer, rid
from tests.conftest import TODAY
from tests.records import COMPANY
from web.app import create_app

FIXTURES = Path(__file__).parent / "fixtures"
EVENTS = FIXTURES / "legacy_store_a1f7b00.jsonl"
GOLDEN = json.loads((FIXTURES / "legacy_store_a1f7b00.golden.json").read_text("utf-8"))

#: Every event type the code at a1f7b00 could store (its domain's event classes but the unused `Created`s).
LEGACY_TOPICS = {f"gongshi:{name}" for name in (
    "Entity.Registered", "Entity.Changed",
    "Record.Recorded", "Record.Corrected", "Record.Withdrawn", "Record.Removed", "Record.Repaired",
    "Record.RepairRevoked", "Record.ObjectionOpened", "Record.ObjectionClosed",
    "Docket.Started", "Docket.CaseOpened", "Docket.CaseClosed", "Docket.RepairRevoked",
    "RepairCase.Submitted", "RepairCase.Accepted", "RepairCase.Refused", "RepairCase.Approved",
    "RepairCase.Rejected", "RepairCase.Revoked", "RepairCase.Withdrawn",
    "ObjectionCase.Submitted", "ObjectionCase.Accepted", "ObjectionCase.NotAccepted",
    "ObjectionCase.MaterialRequested", "ObjectionCase.MaterialSupplied", "ObjectionCase.Resolved",
    "ObjectionCase.Withdrawn",
    "PrivilegedRead.Recorded", "CreditCheck.Asked", "InspectionDraw.Drawn")}
#: Words the glossary changed since (old -> new): the one glossary chose DOMAIN.md's terms.
RENAMED = {**schemas.glossary()["retired"], "严重失信名单记录": "严重违法失信名单记录"}
#: Keys added to answers since (new features, not changes of what was there).
ADDED_KEYS = {"annual_reports_url", "spot_checks", "product_quality", "quality_flag_open"}
#: Profile sections added since (the individual businesses' abnormal-state marks, society-sourced information).
ADDED_TABS = {"abnormal", "society"}


def _stored() -> list[dict[str, Any]]:
    return [json.loads(line) for line in EVENTS.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def legacy(tmp_path_factory):
    assert GOLDEN["today"] == TODAY.isoformat()
    platform = Platform(Settings(home=tmp_path_factory.mktemp("legacy") / "home"), today=TODAY)
    platform.ledger.recorder.insert_events([
        StoredEvent(originator_id=UUID(r["originator_id"]), originator_version=r["originator_version"],
                    topic=r["topic"], state=r["state"].encode("utf-8")) for r in _stored()])
    platform.runner.catch_up()
    yield platform
    platform.close()


@pytest.fixture(scope="module")
def client(legacy):
    with TestClient(create_app(legacy, follow=False)) as client:  # closes the platform on leaving
        yield client


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


def _same_answers(client: TestClient, golden: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    for url, old in golden.items():
        answer = client.get(url, headers=headers)
        assert answer.status_code == old["status"], url
        assert _normalised(answer.json()) == _normalised(_old_district_names(old["body"])), url


def test_the_fixture_holds_every_event_type_the_old_code_could_store():
    assert {r["topic"] for r in _stored()} == LEGACY_TOPICS


def test_every_stored_event_decodes_and_every_aggregate_loads(legacy):
    rows = _stored()
    assert len(rows) == GOLDEN["events"] == legacy.ledger.position()
    for topic in {r["topic"] for r in rows}:
        resolve_topic(topic)
    for notification in legacy.ledger.recorder.select_notifications(start=1, limit=len(rows)):
        legacy.ledger.mapper.to_domain_event(notification)
    for aggregate_id in {UUID(r["originator_id"]) for r in rows}:
        assert legacy.ledger.repository.get(aggregate_id).id == aggregate_id


def test_version_1_case_openings_read_as_cases_about_a_record(legacy):
    opened = [r for r in _stored() if r["topic"].endswith("Case.Submitted")]
    assert len(opened) == len(GOLDEN["cases"]) == 13
    assert all('"class_version"' not in r["state"] and '"subject_type"' not in r["state"] for r in opened)
    for row in opened:
        case = legacy.ledger.repository.get(UUID(row["originator_id"]))
        first = legacy.ledger.history(case.id)[0]
        assert isinstance(first, CaseSubmitted) and first.subject_type == "record"
        assert isinstance(case, Case) and case.subject_type == "record" and case.number in GOLDEN["cases"].values()


def test_todays_code_answers_the_public_what_the_old_code_answered(client):
    _same_answers(client, GOLDEN["answers"])


def test_todays_code_shows_the_department_its_cases_as_the_old_code_did(legacy, client):
    _same_answers(client, GOLDEN["department"], reviewer(legacy))


def test_the_legacy_docket_still_bars_a_second_case_and_a_repair_after_a_revocation(legacy):
    firm, before = Actor.firm(COMPANY), legacy.ledger.position()
    docket = legacy.ledger.repository.get(Docket.create_id(COMPANY))
    assert {c["number"] for c in docket.open.values()} == {GOLDEN["cases"]["repair_open"],
                                                          GOLDEN["cases"]["objection_open"]}
    _, repair_reasons = legacy.cases.repair_eligibility(firm, rid(906), TODAY)  # the open repair's record
    assert {r.code for r in repair_reasons} >= {"open_case", "barred"}
    _, objection_reasons = legacy.cases.objection_eligibility(firm, rid(913))  # the open objection's record
    assert [r.code for r in objection_reasons] == ["open_case"]
    assert legacy.ledger.position() == before


def test_the_merkle_tree_over_the_legacy_log_has_the_root_the_old_code_signed(legacy):
    tree, _ = legacy.integrity.snapshot()
    assert tree.root(GOLDEN["log"]["tree_size"]).hex() == GOLDEN["log"]["root_hash"]
