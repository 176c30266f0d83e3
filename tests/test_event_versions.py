"""Events that change carry `class_version` and upcast what older code stored (the library's mechanism)."""
from __future__ import annotations

import json

from eventsourcing.persistence import StoredEvent

from domain import repair
from domain.cases import Actor, case_id
from tests.conftest import TODAY
from tests.records import COMPANY, SCJG, penalty

MATERIALS = [{"role": "proof", "sha256": "a" * 64, "content_type": "application/pdf", "size": 10, "name": "收据.pdf"},
             {"role": "commitment", "sha256": "b" * 64, "content_type": "image/png", "size": 10, "name": "承诺书.png"}]


def test_a_new_case_is_stored_as_version_2_with_its_subject_type(platform):
    [item] = platform.records.submit([penalty(1)], department=SCJG, submitter="test").items
    number, _ = platform.cases.apply_for_repair(Actor.firm(COMPANY), item.record_id, MATERIALS, "已缴清", TODAY)
    [stored] = platform.ledger.recorder.select_events(case_id(number), limit=1)
    state = json.loads(stored.state)
    assert stored.topic == "gongshi:RepairCase.Submitted"
    assert state["class_version"] == 2 and state["subject_type"] == "record"


def test_a_case_stored_before_version_2_is_read_as_a_case_about_a_record(platform):
    [item] = platform.records.submit([penalty(1)], department=SCJG, submitter="test").items
    number, _ = platform.cases.apply_for_repair(Actor.firm(COMPANY), item.record_id, MATERIALS, "已缴清", TODAY)
    [stored] = platform.ledger.recorder.select_events(case_id(number), limit=1)
    state = json.loads(stored.state)
    del state["class_version"], state["subject_type"]  # what the code before version 2 wrote
    old = StoredEvent(stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode())
    event = platform.ledger.mapper.to_domain_event(old)
    assert isinstance(event, repair.RepairCase.Submitted) and event.subject_type == "record"
    assert event.number == number and event.record_id == item.record_id
