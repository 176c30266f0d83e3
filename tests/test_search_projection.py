"""The search projection: follows the log exactly once, rebuilds, and finds what the public types."""
from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from gongshi.cli import main
from gongshi.config import Settings
from gongshi.platform import Platform
from projections.public import Moment
from projections.queries import Paging
from projections.search_queries import search
from tests.portal import OTHER, client, submit
from tests.records import COMPANY, SCJG, entity, penalty


def everything(platform) -> list[tuple[str, str]]:
    """Every public document in the index (an empty query with a filter lists them all)."""
    found = []
    for doc_type in ("record", "entity"):
        result = platform.search_index.search("", today="2026-11-25", filters={"doc_type": [doc_type]}, page_size=1000)
        found += sorted((h.id, h.title) for h in result.hits)
    return found


def test_index_commits_the_position_with_the_documents(platform):
    submit(platform, entity(), penalty(1))
    assert platform.search_index.position() == platform.ledger.position() == 2
    assert [h[1] for h in everything(platform)] == ["本溪市明山区恒达建材有限公司"] * 2


def test_applying_a_batch_again_changes_nothing(platform):
    submit(platform, entity(), penalty(1), penalty(2))
    before = everything(platform)
    events = [(n.id, platform.ledger.mapper.to_domain_event(n))
              for n in platform.ledger.recorder.select_notifications(0, 100)]
    platform.search_projection.apply(events, 3)
    platform.search_projection.apply(events[:1], 1)
    assert platform.search_index.position() == 3 and everything(platform) == before


def test_withdrawal_deletes_and_correction_replaces_the_document(platform):
    first = submit(platform, penalty(1), penalty(2)).items[0]
    submit(platform, penalty(1, action="correct", reason="事实表述有误", facts="经查，当事人销售的水泥经抽检不合格。"))
    found = platform.search_index.search("水泥", today="2026-11-25")
    assert [h.id for h in found.hits] == [first.record_id]
    submit(platform, {"kind": "penalty", "action": "withdraw", "reason": "决定被撤销", "authority_code": SCJG,
                      "document_number": penalty(1)["document_number"]})
    assert platform.search_index.search("水泥", today="2026-11-25").total == 0
    assert len(everything(platform)) == 1


def test_replay_rebuilds_the_same_index(platform):
    submit(platform, entity(), entity(credit_code=OTHER, name="本溪市平山区鑫源食品有限公司", district_code="210502"),
           penalty(1), penalty(2, credit_code=OTHER, party_name="本溪市平山区鑫源食品有限公司"))
    before = everything(platform)
    platform.runner.reset()
    assert platform.search_index.position() == 0 and everything(platform) == []
    platform.runner.catch_up()
    assert everything(platform) == before and platform.search_index.position() == 4


def test_index_rebuild_command_shows_progress_and_rebuilds(tmp_path, monkeypatch):
    home = tmp_path / "home"
    platform = Platform(Settings(home=home))
    submit(platform, entity(), penalty(1))
    before = everything(platform)
    platform.close()
    monkeypatch.setenv("GONGSHI_HOME", str(home))
    result = CliRunner().invoke(main, ["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "索引 indexing" in result.output and "up to log position 2" in result.output
    again = Platform(Settings(home=home))
    assert everything(again) == before
    again.close()


def test_a_second_process_leaves_the_index_to_its_writer(sqlite_platform, tmp_path):
    submit(sqlite_platform, penalty(1))
    other = Platform(sqlite_platform.settings, today=sqlite_platform.today)
    try:
        other.records.submit([penalty(2)], department=SCJG, submitter="test", visible=False)
        other.runner.catch_up()  # the index's writer is the first platform: nothing raised, views caught up
        assert other.ledger_views.position() == 2 and other.search_index.position() == 1
        sqlite_platform.runner.catch_up()
        assert other.search_index.position() == 2
    finally:
        other.close()


def test_search_reads_the_history_when_the_index_is_ahead(platform):
    first = submit(platform, penalty(1, violation_type="未取得许可擅自经营")).items[0]
    submit(platform, penalty(1, action="correct", reason="更正", violation_type="超范围经营"))
    old = search(platform.search_index, platform.views_db, Moment(first.position, "2026-11-25"), "擅自经营", {},
                 "relevance", Paging())
    assert old["source"] == "history" and [h["id"] for h in old["items"]] == [first.record_id]
    assert "<mark>擅自经营</mark>" in old["items"][0]["snippet_html"]


def test_new_record_is_searchable_within_one_second_of_acceptance(platform):
    token = platform.tokens.create(department=SCJG, role="submitter")
    with client(platform) as c:
        started = time.monotonic()
        response = c.post("/api/v1/records", content=json.dumps(penalty(9), ensure_ascii=False),
                          headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        assert response.status_code == 200
        record_id = response.json()["items"][0]["record_id"]
        while record_id not in {h["id"] for h in c.get("/api/v1/search", params={"q": "恒达建材"}).json()["hits"]}:
            assert time.monotonic() - started < 1.0
            time.sleep(0.02)
        assert time.monotonic() - started < 1.0


NAMES = {
    "91210504MA0XK4E22E": "本溪市明山区恒达建材有限公司",
    OTHER: "本溪市平山区鑫源食品有限公司",
}


@pytest.fixture
def recall(platform):
    submit(platform, entity(), entity(credit_code=OTHER, name=NAMES[OTHER], district_code="210502",
                                      address="辽宁省本溪市平山区站前街8号"),
           penalty(1), penalty(2, credit_code=OTHER, party_name=NAMES[OTHER], violation_type="违反食品安全法经营超过保质期的食品",
                               document_number="本市监罚〔2025〕45号"))
    with client(platform) as c:
        yield c


@pytest.mark.parametrize("q, expected", [
    ("恒达建材", COMPANY),            # part of a name
    ("明山区", COMPANY),              # a district inside the name
    ("明山区建材", COMPANY),          # non-adjacent parts typed without a space
    ("明山区 建材", COMPANY),         # ... and with one
    ("本溪恒达", COMPANY),            # non-adjacent: 本溪市...恒达
    ("鑫", OTHER),                    # one distinctive character
    ("食品安全", OTHER),              # a term inside a longer word of the text
    ("91210504", COMPANY),            # a credit-code prefix
    ("本市监罚〔2025〕45号", OTHER),  # a document number
    ("hdjc", COMPANY),                # pinyin initials of 恒达建材
])
def test_search_finds_what_the_public_types(recall, q, expected):
    body = recall.get("/api/v1/search", params={"q": q}).json()
    assert body["total"] >= 1
    assert {h["credit_code"] for h in body["hits"]} == {expected}, body["hits"]
