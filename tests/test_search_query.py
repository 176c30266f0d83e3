"""Query parsing, Chinese analysis and highlighting, without an index."""
from __future__ import annotations

from search.analysis import (_FOLD, SEPARATOR, covering_grams, fold, grams, name_initials, phrase_tokens, run_grams,
                             runs)
from search.documents import entry
from search.interface import SearchDoc
from search.highlight import Highlighter
from search.query import MAX_PARTS, parse


def runs_of(q: str) -> list[tuple[str, ...]]:
    return [p.runs for p in parse(q).parts]


def test_folding_keeps_offsets_and_unifies_widths_cases_and_brackets():
    text = "ＡＢｃ１２（2023）【45】"
    assert fold(text) == "abc12〔2023〕〔45〕"
    assert len(fold(text)) == len(text)


def test_han_runs_are_indexed_as_bigrams_then_their_last_character():
    assert grams(fold("恒达建材 2023号")) == ["恒达", "达建", "建材", "材", "2023", "号"]


#: Values that exercise every branch of the tokenizer: runs of one Han character, words beside
#: Han runs, brackets of every width, characters of CJK Extension A and plane 2, separators.
TRICKY = ["恒达建材 2023号", "本", "A本B", "监罚[2023]45号", "（有限公司）【x】", "㐀㐁a𠀀𠀁𠀂", "甲|乙｜丙",
          "ＡＢＣ１２３ 全角　空格", "〇一二", "--", "", "abc", "1本2本3", "〔〕〔", "本市 市场监督管理局 第12号"]


def test_one_pass_tokens_are_the_bigrams_of_each_run():
    for value in TRICKY:
        folded = fold(value)
        assert grams(folded) == [g for run in runs(folded) for g in run_grams(run)], value


def test_folding_only_what_it_changes_is_translating_everything():
    for value in [*TRICKY, "".join(chr(c) for c in _FOLD)]:
        assert fold(value) == value.translate(_FOLD), value


def test_an_entry_holds_each_field_as_its_values_give_it():
    for title, number, department, text in [("恒达建材有限公司", "本市监罚[2023]45号", "市场监督管理局", "违法 事实"),
                                            ("", "", "交通局", "（处罚）"), ("--", "x", "", ""), ("甲", "", "", "")]:
        doc = SearchDoc(id="r1", doc_type="record", kind="penalty", title=title, text=text, document_number=number,
                        department_name=department, public_from="2024-01-01", public_until=None,
                        decision_date="2024-01-01", credit_code="", district="", category="", entity_key="")
        values = [v for v in (title, number, department, text) if v]
        e = entry(doc)
        assert e.grams == f" {SEPARATOR} ".join(" ".join(g for run in runs(fold(v)) for g in run_grams(run))
                                                   for v in values)
        assert e.title_grams == (" ".join(grams(fold(title))) if title else "")
        assert e.chars == f" {SEPARATOR} ".join(fold(v) for v in values)


def test_a_phrase_keeps_inner_runs_whole_and_leaves_the_last_open():
    assert phrase_tokens(["监罚", "〔", "2023", "〕", "45", "号"]) == ["监罚", "罚", "〔", "2023", "〕", "45"]
    assert phrase_tokens(["恒达建材"]) == ["恒达", "达建", "建材"]


def test_covering_bigrams_pin_every_character():
    assert covering_grams("市场监督管理局") == [(0, "市场"), (2, "监督"), (4, "管理"), (5, "理局")]
    assert covering_grams("恒达") == [(0, "恒达")]


def test_han_word_is_segmented_and_kept_whole_for_ranking():
    parsed = parse("明山区建材")
    assert [p.runs for p in parsed.parts] == [("明山区",), ("建材",)]
    assert [p.runs for p in parsed.phrases] == [("明山区建材",)]


def test_document_number_stays_one_phrase_whatever_its_brackets():
    assert runs_of("本市监罚[2023]45号") == runs_of("本市监罚〔2023〕45号") == [("本市监罚", "〔", "2023", "〕", "45", "号")]
    assert runs_of("(2023)45") == [("〔", "2023", "〕", "45")]
    assert runs_of("2023〕45") == [("2023", "〕", "45")]


def test_brackets_that_pair_with_nothing_at_the_ends_of_a_word_are_dropped():
    assert runs_of("(建材 有限公司）") == [("建材",), ("有限公司",)]
    assert runs_of("】（") == []


def test_code_like_words_may_be_prefixes_and_letters_may_be_initials():
    (code,) = parse("9121050").parts
    (letters,) = parse("HDJC").parts
    assert code.code_prefix and not code.initials
    assert letters.initials and not letters.code_prefix and letters.runs == ("hdjc",)


def test_quotes_keep_a_phrase_unsegmented():
    assert runs_of("鑫 “明山区建材”") == [("鑫",), ("明山区建材",)]


def test_query_syntax_is_plain_text():
    assert runs_of("title:恒达 AND (建材 OR *)") == [("title",), ("恒达",), ("建材",)]
    assert parse("？！*").parts == ()


def test_parts_are_capped():
    assert len(parse(" ".join(f"w{i}" for i in range(100))).parts) == MAX_PARTS


def test_initials_map_back_to_the_characters_of_the_name():
    letters, where = name_initials("本溪恒达（集团）")
    assert letters == "bxhdjt"
    assert where == [0, 1, 2, 3, 5, 6]


def test_highlight_marks_overlapping_parts_and_escapes_the_rest():
    marker = Highlighter.for_query(parse("明山区 山区建材"))
    assert marker.title("<b>明山区建材</b>") == "&lt;b&gt;<mark>明山区建材</mark>&lt;/b&gt;"


def test_highlight_spans_punctuation_inside_a_document_number():
    marker = Highlighter.for_query(parse("〔2023〕45"))
    assert marker.snippet("文号：本市监罚（2023）45号；（2023）145号") == "文号：本市监罚<mark>（2023）45</mark>号；（2023）145号"


def test_runs_ignore_punctuation_and_keep_brackets():
    assert runs(fold("《食品安全法》第34条（一）")) == ["食品安全法", "第", "34", "条", "〔", "一", "〕"]
