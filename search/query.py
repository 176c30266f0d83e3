"""Parsing the text a user types into the parts a document must contain.

There is no query syntax to get wrong: quotes, colons, brackets, *, ?, AND/OR never
raise.  The rules, in order:

- The text is stripped and cut to MAX_QUERY_CHARS characters (`trimmed` says so).
- "…", “…”, 「…」 and 『…』 enclose an exact phrase, taken as typed (not segmented).
- Elsewhere, whitespace and punctuation separate words; brackets, hyphens, dots and # do
  not, so 本市监罚〔2023〕45号 stays one word.
- A word of Han characters only is segmented (rjieba) and every segment is required
  anywhere in the document: 本溪恒达 finds 本溪市…恒达…  Documents that also contain the
  whole word rank higher.  Lone function characters (的, 和, …) between segments are dropped.
- A word of one [0-9a-z] run (after folding) is matched as a whole word, and also as the
  beginning of a credit code or registration number (4 to 18 characters, not all
  letters) and as a substring of the pinyin initials of the name (3 or more letters).  Standalone AND, OR, NOT are ignored.
- Any other word (Han and digits, e.g. a document number) is one phrase: its runs must
  appear consecutively, with only punctuation between them.  Brackets of every kind count
  as 〔 or 〕 and must match: 〔2023〕45 finds 本市监罚[2023]45号, not the date 2023-10-45.
  A bracket at either end of a word that pairs with nothing in it is dropped: (建材.
- Text with no Han character or [0-9a-z] at all has no parts: the search returns nothing
  (an empty query, by contrast, lists every public document).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from search.analysis import CLOSE, HAN_CLASS, OPEN, fold, is_han, is_word, runs, segment

MAX_QUERY_CHARS = 200
#: More parts than this are ignored (a pasted paragraph must not build a huge query).
MAX_PARTS = 32
SHORTEST_CODE_PREFIX = 4
LONGEST_CODE = 18
SHORTEST_INITIALS = 3
LONGEST_INITIALS = 40

_QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」|『([^』]*)』')
#: Characters that keep a word together (document numbers, codes); all else separates.
_WORD = re.compile(f"(?:{HAN_CLASS}|[0-9a-z{OPEN}{CLOSE}\\-_.·#])+")
_OPERATORS = {"and", "or", "not"}
_FUNCTION_CHARS = set("的了和与及或在是之等")


@dataclass(frozen=True, slots=True)
class Part:
    """Something a matching document contains: `runs` (folded Han runs, [0-9a-z] runs and
    brackets, as analysis.runs gives them) in a row."""

    runs: tuple[str, ...]
    #: A single [0-9a-z] run that may also be the start of a credit code or registration number.
    code_prefix: bool = False
    #: A single run of letters that may also be pinyin initials of the name.
    initials: bool = False

    @property
    def is_char(self) -> bool:
        """One Han character."""
        return len(self.runs) == 1 and len(self.runs[0]) == 1 and is_han(self.runs[0])

    @property
    def is_han_word(self) -> bool:
        """One run of two or more Han characters."""
        return len(self.runs) == 1 and len(self.runs[0]) > 1 and is_han(self.runs[0])

    @property
    def is_word(self) -> bool:
        """One [0-9a-z] run."""
        return len(self.runs) == 1 and is_word(self.runs[0])


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str
    trimmed: bool
    #: Every part is required.
    parts: tuple[Part, ...]
    #: Whole words that were split into several parts: containing one ranks a document higher.
    phrases: tuple[Part, ...]

    @property
    def is_browse(self) -> bool:
        """An empty query: list every public document."""
        return not self.text


def _word_part(word: str) -> Part:
    return Part(
        (word,),
        code_prefix=SHORTEST_CODE_PREFIX <= len(word) <= LONGEST_CODE and not word.isalpha(),
        initials=word.isalpha() and SHORTEST_INITIALS <= len(word) <= LONGEST_INITIALS,
    )


def _han_parts(run: str) -> tuple[list[Part], list[Part]]:
    words = segment(run)
    if len(words) > 1:
        words = [w for w in words if w not in _FUNCTION_CHARS] or words
    if len(words) <= 1:
        return [Part((run,))], []
    return [Part((w,)) for w in words], [Part((run,))]


def _without_loose_brackets(word_runs: list[str]) -> list[str]:
    """Drop brackets at either end that pair with nothing in the word ("(建材" -> 建材)."""
    start, end = 0, len(word_runs)
    while start < end and (
        word_runs[start] == CLOSE or (word_runs[start] == OPEN and CLOSE not in word_runs[start + 1 : end])
    ):
        start += 1
    while start < end and (
        word_runs[end - 1] == OPEN or (word_runs[end - 1] == CLOSE and OPEN not in word_runs[start : end - 1])
    ):
        end -= 1
    return word_runs[start:end]


def _word_parts(word: str) -> tuple[list[Part], list[Part]]:
    word_runs = _without_loose_brackets(runs(word))
    if not any(is_han(r) or is_word(r) for r in word_runs):
        return [], []
    if len(word_runs) > 1 and any(not is_han(r) for r in word_runs):
        return [Part(tuple(word_runs))], []
    parts: list[Part] = []
    phrases: list[Part] = []
    for run in word_runs:
        if not is_han(run):
            if run not in _OPERATORS:
                parts.append(_word_part(run))
            continue
        more_parts, more_phrases = _han_parts(run)
        parts += more_parts
        phrases += more_phrases
    return parts, phrases


def parse(q: str) -> ParsedQuery:
    """Turn user input into required parts; never raises."""
    text = " ".join(q.split())
    trimmed = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]
    folded = fold(text)
    parts: list[Part] = []
    phrases: list[Part] = []
    position = 0
    for quoted in [*_QUOTED.finditer(folded), None]:
        end = quoted.start() if quoted else len(folded)
        for word in _WORD.findall(folded[position:end]):
            more_parts, more_phrases = _word_parts(word)
            parts += more_parts
            phrases += more_phrases
        if quoted:
            inner_runs = runs(next(g for g in quoted.groups() if g is not None))
            if any(is_han(r) or is_word(r) for r in inner_runs):
                parts.append(Part(tuple(inner_runs)))
            position = quoted.end()
    unique = tuple(dict.fromkeys(parts))[:MAX_PARTS]
    return ParsedQuery(text, trimmed, unique, tuple(p for p in dict.fromkeys(phrases) if p not in unique))
