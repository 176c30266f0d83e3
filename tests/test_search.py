"""The search interface, against real index files of both engines."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from search.engine import ENGINE_VARIABLE, engine_name, open_index
from search.interface import IndexBusyError, InvalidSearchError, SearchDoc, SearchIndex

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2024-06-01"
ENGINES = ["tantivy", "whoosh"]


def doc(id: str, title: str, text: str = "", **fields) -> SearchDoc:
    values = {
        "doc_type": "record", "kind": "penalty", "public_from": "2020-01-01", "public_until": None,
        "decision_date": "2023-05-01", "year": 2023, "department": "112105000086742610",
        "department_name": "本溪市市场监督管理局", "district": "210504", "category": "企业",
    } | fields
    return SearchDoc(id=id, title=title, text=text, **values)


CORPUS = [
    doc("r1", "本溪市明山区恒达建材有限公司", "销售不合格的建材产品，违反了《中华人民共和国产品质量法》，罚款人民币5000元。",
        credit_code="91210504MA0X1234Y1", entity_key="91210504MA0X1234Y1", document_number="本市监罚〔2023〕45号"),
    doc("r2", "本溪市平山区鑫源食品商店", "经营超过保质期的食品，违反了《中华人民共和国食品安全法》第三十四条。",
        credit_code="92210502MA0Y5678Z2", entity_key="92210502MA0Y5678Z2", document_number="本市监罚〔2023〕145号",
        district="210502", category="个体工商户", decision_date="2023-06-01"),
    doc("r3", "桓仁满族自治县宏图商贸有限公司", "于2023-10-45日检查时发现未按规定公示年度报告。",
        credit_code="91210522MA0Z9999X3", entity_key="91210522MA0Z9999X3", kind="anomaly_listing",
        district="210522", decision_date="2023-10-15"),
    doc("e1", "本溪市明山区恒达建材有限公司", "住所：辽宁省本溪市明山区胜利路8号。经营范围：建材销售。",
        doc_type="entity", kind="entity", credit_code="91210504MA0X1234Y1", entity_key="91210504MA0X1234Y1",
        decision_date="2015-03-02", year=2015),
]


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


@pytest.fixture
def index(tmp_path, engine) -> SearchIndex:
    ix = open_index(tmp_path / "index", engine)
    ix.add(CORPUS)
    ix.commit(len(CORPUS))
    yield ix
    ix.close()


def found(ix: SearchIndex, q: str, **options) -> set[str]:
    return {h.id for h in ix.search(q, today=TODAY, page_size=100, **options).hits}


# Chinese analysis


def test_partial_company_name_finds_the_company(index):
    assert found(index, "恒达建材") == {"r1", "e1"}


def test_district_finds_companies_registered_there(index):
    assert found(index, "明山区") == {"r1", "e1"}


def test_term_inside_a_longer_word_is_found(index):
    assert found(index, "食品安全") == {"r2"}


def test_single_character_query_finds_names_containing_it(index):
    assert found(index, "鑫") == {"r2"}


@pytest.mark.parametrize("q", ["明山区建材", "本溪恒达", "恒达建材公司"])
def test_non_adjacent_parts_typed_without_space_are_all_required(index, q):
    assert found(index, q) == {"r1", "e1"}


def test_whole_word_match_ranks_above_scattered_parts(index, engine):
    ix = index
    ix.add([doc("r9", "本溪市恒通物流有限公司", "经营场所在明山区，兼营建材。")])
    ix.commit(5)
    result = ix.search("明山区建材", today=TODAY)
    assert set(ids(result)) == {"r1", "e1", "r9"}
    assert ids(result)[-1] == "r9"


def test_credit_code_prefix_finds_codes_starting_with_it(index):
    assert found(index, "9121050") == {"r1", "e1"}
    assert found(index, "91210504ma0x") == {"r1", "e1"}
    assert found(index, "MA0X1234") == set()


def test_document_number_is_found_whole_and_in_part(index):
    assert found(index, "本市监罚〔2023〕45号") == {"r1"}
    assert found(index, "〔2023〕45") == {"r1"}
    assert found(index, "本市监罚[2023]45号") == {"r1"}
    assert found(index, "〔2023〕145") == {"r2"}


def test_document_number_part_does_not_match_a_date(index):
    assert "r3" not in found(index, "〔2023〕45")


def test_pinyin_initials_find_the_company(index):
    assert found(index, "hdjc") == {"r1", "e1"}
    assert "<mark>恒达建材</mark>" in index.search("hdjc", today=TODAY).hits[0].title_html


def test_quoted_phrase_is_not_split(index):
    assert found(index, '"明山区建材"') == set()
    assert found(index, "“恒达建材”") == {"r1", "e1"}
    assert found(index, '"恒达 建材"') == {"r1", "e1"}


# Publicity


def test_publicity_period_is_applied_on_the_given_day(tmp_path, engine):
    ix = open_index(tmp_path, engine)
    ix.add([
        doc("expired", "本溪恒达建材", public_from="2023-01-01", public_until="2024-05-31"),
        doc("future", "本溪恒达建材", public_from="2024-06-02"),
        doc("today", "本溪恒达建材", public_from="2024-06-01", public_until="2024-06-01"),
    ])
    ix.commit(1)
    assert found(ix, "恒达") == {"today"}
    assert {h.id for h in ix.search("恒达", today="2024-05-31").hits} == {"expired"}
    assert {h.id for h in ix.search("", today="2024-06-02").hits} == {"future"}
    ix.close()


# Writing and the committed position


def test_new_index_is_at_position_zero(tmp_path, engine):
    assert open_index(tmp_path, engine).position() == 0


def test_deleted_document_is_no_longer_found(index):
    index.delete(["r2", "no-such-id"])
    index.commit(5)
    assert found(index, "鑫") == set()


def test_adding_a_document_again_replaces_it(index):
    index.add([doc("r2", "本溪市平山区鑫源食品商店", "已更正")])
    index.add([doc("r2", "本溪市平山区鑫源副食商店", "再次更正")])
    index.commit(5)
    assert found(index, "副食") == {"r2"}
    assert found(index, "食品商店") == set()
    assert index.search("鑫", today=TODAY).total == 1


def test_position_and_documents_are_seen_by_a_later_open(tmp_path, engine):
    ix = open_index(tmp_path, engine)
    ix.add(CORPUS)
    ix.commit(42)
    ix.close()
    again = open_index(tmp_path, engine)
    assert again.position() == 42
    assert found(again, "恒达建材") == {"r1", "e1"}


def test_uncommitted_changes_are_not_visible_after_reopening(tmp_path, engine):
    ix = open_index(tmp_path, engine)
    ix.add(CORPUS[:1])
    ix.commit(1)
    ix.add(CORPUS[1:])
    ix.delete(["r1"])
    ix.close()
    again = open_index(tmp_path, engine)
    assert again.position() == 1
    assert found(again, "") == {"r1"}


def test_crash_between_commits_leaves_the_last_committed_position(tmp_path, engine):
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_search import CORPUS
        from search.engine import open_index
        ix = open_index({str(tmp_path)!r}, {engine!r})
        ix.add(CORPUS[:2])
        ix.commit(7)
        ix.add(CORPUS[2:])
        ix.delete(["r1"])
        os._exit(3)
    """)
    assert subprocess.run([sys.executable, "-c", script], cwd=ROOT).returncode == 3
    ix = open_index(tmp_path, engine)
    assert ix.position() == 7
    assert found(ix, "") == {"r1", "r2"}
    ix.add(CORPUS[2:])
    ix.commit(8)
    assert found(ix, "") == {"r1", "r2", "r3", "e1"}


def test_rollback_discards_changes_since_the_last_commit(index):
    index.delete(["r1"])
    index.add([doc("r8", "本溪新户")])
    index.rollback()
    index.commit(9)
    assert found(index, "") == {"r1", "r2", "r3", "e1"}


def test_clear_takes_effect_with_the_next_commit(tmp_path, engine):
    writer = open_index(tmp_path, engine)
    writer.add(CORPUS)
    writer.commit(4)
    reader = open_index(tmp_path, engine)
    writer.clear()
    writer.add([doc("n1", "本溪新建材")])
    assert found(reader, "") == {"r1", "r2", "r3", "e1"}
    writer.commit(1)
    assert found(reader, "") == {"n1"}
    assert reader.position() == 1
    writer.close()


def test_only_one_writer_at_a_time(tmp_path, engine):
    first = open_index(tmp_path, engine)
    first.add(CORPUS[:1])
    second = open_index(tmp_path, engine)
    with pytest.raises(IndexBusyError):
        second.add(CORPUS[1:])
    first.commit(1)
    first.close()


def test_reader_sees_commits_made_after_it_opened(tmp_path, engine):
    reader = open_index(tmp_path, engine)
    assert reader.search("", today=TODAY).total == 0
    writer = open_index(tmp_path, engine)
    writer.add(CORPUS)
    writer.commit(4)
    assert reader.position() == 4
    assert found(reader, "恒达建材") == {"r1", "e1"}
    writer.close()


def test_reader_in_another_process_sees_committed_data(index, tmp_path, engine):
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from search.engine import open_index
        ix = open_index({str(tmp_path / "index")!r}, {engine!r})
        print(ix.position(), sorted(h.id for h in ix.search("恒达建材", today={TODAY!r}).hits))
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "4 ['e1', 'r1']"


# Results: facets, filters, highlights, paging


def test_facets_count_every_match_not_just_the_page(index):
    result = index.search("本溪", today=TODAY, facets=["kind", "district", "year", "category"], page_size=1)
    assert result.total == 4
    assert len(result.hits) == 1
    assert dict(result.facets["kind"]) == {"penalty": 2, "anomaly_listing": 1, "entity": 1}
    assert result.facets["district"][0] == ("210504", 2)
    assert dict(result.facets["year"]) == {"2023": 3, "2015": 1}
    assert dict(result.facets["category"]) == {"企业": 3, "个体工商户": 1}


def test_filters_restrict_matches_without_changing_scores(index):
    everything = {h.id: h.score for h in index.search("恒达建材", today=TODAY).hits}
    entities = index.search("恒达建材", today=TODAY, filters={"doc_type": ["entity"]}, facets=["kind"])
    assert ids(entities) == ["e1"]
    assert entities.hits[0].score == pytest.approx(everything["e1"])
    assert entities.facets["kind"] == [("entity", 1)]
    by_year = index.search("", today=TODAY, filters={"year": ["2015", "2099"], "district": ["210504"]})
    assert ids(by_year) == ["e1"]


def test_unknown_filter_or_facet_is_an_invalid_search(index):
    with pytest.raises(InvalidSearchError):
        index.search("恒达", today=TODAY, filters={"title": ["x"]})
    with pytest.raises(InvalidSearchError):
        index.search("恒达", today=TODAY, facets=["credit_code"])
    with pytest.raises(InvalidSearchError):
        index.search("恒达", today="yesterday")


def test_title_is_html_escaped_and_matches_are_marked(tmp_path, engine):
    ix = open_index(tmp_path, engine)
    ix.add([doc("x1", "<script>alert(1)</script>恒达&建材", "明山区<b>恒达</b>建材")])
    ix.commit(1)
    hit = ix.search("恒达", today=TODAY).hits[0]
    assert hit.title_html == "&lt;script&gt;alert(1)&lt;/script&gt;<mark>恒达</mark>&amp;建材"
    assert hit.snippet_html == "明山区&lt;b&gt;<mark>恒达</mark>&lt;/b&gt;建材"


def test_snippet_is_cut_around_the_first_match(index):
    ix = index
    ix.add([doc("long", "本溪某公司", "甲" * 300 + "扬尘污染" + "乙" * 300)])
    ix.commit(5)
    snippet = ix.search("扬尘污染", today=TODAY).hits[0].snippet_html
    assert snippet.startswith("…甲") and snippet.endswith("乙…")
    assert "<mark>扬尘污染</mark>" in snippet
    assert len(snippet) < 160


def test_newest_first_pages_are_stable_with_id_breaking_ties(tmp_path, engine):
    ix = open_index(tmp_path, engine)
    ix.add([doc(f"d{i:02d}", "本溪恒达", decision_date=f"2023-0{1 + i % 3}-01") for i in range(25)])
    ix.commit(1)
    pages = [ix.search("恒达", today=TODAY, sort="newest", page=p, page_size=10) for p in (1, 2, 3)]
    order = [h.id for page in pages for h in page.hits]
    expected = sorted((f"2023-0{1 + i % 3}-01", f"d{i:02d}") for i in range(25))[::-1]
    assert order == [d for _, d in expected]
    assert [p.total for p in pages] == [25, 25, 25]


@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_page_far_beyond_the_result_window_is_empty_not_a_crash(index, sort):
    result = index.search("恒达", today=TODAY, sort=sort, page=10**7, page_size=1000, facets=["kind"])
    assert result.hits == [] and result.total == 2
    assert result.notes == ["beyond_result_window"]
    assert result.facets["kind"] == [("entity", 1), ("penalty", 1)]


def test_empty_query_lists_every_public_document_newest_first(index):
    result = index.search("   ", today=TODAY)
    assert ids(result) == ["r3", "r2", "r1", "e1"]


# Hostile and odd input


@pytest.mark.parametrize("q", [
    '"', '"恒达', "title:恒达", "恒达 AND 建材", "恒达 OR", "NOT", "(恒达", "恒达)", "[", "{}", "*", "恒*", "?",
    "恒达~2", "^3", "\\", "'", "&&||!", "<script>", "%s%n", "\x00", "\u200b", "恒达\n建材", "-恒达", "+建材",
    "𠀀", "ＡＢＣ", "🙂", "１２３", "' OR 1=1 --",
])
def test_hostile_queries_do_not_raise(index, q):
    result = index.search(q, today=TODAY, facets=["kind"], sort="newest")
    assert result.total >= 0


def test_operators_are_ignored_and_field_syntax_is_plain_text(index):
    assert found(index, "恒达 AND 建材") == {"r1", "e1"}
    assert found(index, "明山区:恒达") == {"r1", "e1"}


def test_punctuation_only_query_returns_nothing_and_says_why(index):
    result = index.search("？！…【】", today=TODAY)
    assert result.total == 0 and result.hits == []
    assert result.notes == ["no_searchable_characters"]


def test_overlong_query_is_trimmed_not_refused(index):
    result = index.search("恒达" + "建" * 500, today=TODAY)
    assert result.query_trimmed and len(result.query) == 200
    assert result.total == 0


# Choosing the engine


def test_engine_is_chosen_by_argument_then_environment(monkeypatch):
    monkeypatch.setenv(ENGINE_VARIABLE, "whoosh")
    assert engine_name() == "whoosh"
    assert engine_name("tantivy") == "tantivy"
    monkeypatch.delenv(ENGINE_VARIABLE)
    assert engine_name() == "tantivy"


def test_each_engine_keeps_its_own_index(tmp_path):
    tantivy = open_index(tmp_path, "tantivy")
    tantivy.add(CORPUS)
    tantivy.commit(4)
    assert open_index(tmp_path, "whoosh").position() == 0
    tantivy.close()


def test_a_filter_that_matches_nothing_lists_no_hits(index):
    result = index.search("恒达", today=TODAY, filters={"district": ["999999"]})
    assert (result.total, result.hits) == (0, [])
