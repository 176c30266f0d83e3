"""Chinese text analysis shared by indexing, query parsing and highlighting.

Text is folded (full-width ASCII to half-width, A-Z to a-z, every kind of bracket to
〔 or 〕) without changing its length, so offsets found in folded text are offsets in the
original.  Tokens are Han characters, runs of [0-9a-z], and the brackets 〔 and 〕 (so
〔2023〕45 in a document number is not 2023-10-45 in a date); everything else separates
tokens.

The main field holds, for every run of Han characters, its overlapping bigrams followed
by its last character ("恒达建材" -> 恒达 达建 建材 材), and each [0-9a-z] run as one word,
all at consecutive positions.  A phrase of consecutive bigrams therefore matches an
exact substring, and every character is the first character of some token, so a single
character can be found by a prefix query.  Values (title, document number, ...) are
joined with a SEPARATOR token that no query produces, so phrases never span two values.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import rjieba
from pypinyin import Style, lazy_pinyin

#: Han characters: 〇, CJK Extension A, the Unified block, compatibility ideographs, planes 2-3.
_HAN_RANGES = [(0x3007, 0x3007), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF)]
HAN_CLASS = "[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _HAN_RANGES) + "]"
#: The same character class for Rust's regex crate (tantivy's regex tokenizer).
RUST_HAN_CLASS = "[" + "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in _HAN_RANGES) + "]"
WORD_CLASS = "[0-9a-z]"

SEPARATOR = "|"
OPEN, CLOSE = "〔", "〕"
RUNS = re.compile(f"{HAN_CLASS}+|{WORD_CLASS}+|[{OPEN}{CLOSE}]")
IS_HAN = re.compile(HAN_CLASS)
#: The indexed tokens of folded text in one pass of the regex engine: at each Han character
#: the bigram it starts, or the character itself where its run ends (the lookahead captures
#: the token, the rest consumes one character); each word or bracket whole. The same tokens
#: as `run_grams` over `runs` (tests/test_search_query.py holds the two side by side).
_TOKENS = re.compile(f"(?=({HAN_CLASS}{HAN_CLASS}|{HAN_CLASS}|{WORD_CLASS}+|[{OPEN}{CLOSE}]))"
                     f"(?:{HAN_CLASS}|{WORD_CLASS}+|[{OPEN}{CLOSE}])")

_FOLD = {c: ord(chr(c - 0xFEE0).lower()) for c in range(0xFF01, 0xFF5F)}
_FOLD.update({ord(c): ord(c.lower()) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
_FOLD.update({0x3000: 0x20, ord(SEPARATOR): 0x20, ord("｜"): 0x20})
_FOLD.update({ord(c): ord(OPEN) for c in "[(（［【〖〘"})
_FOLD.update({ord(c): ord(CLOSE) for c in "])）］】〗〙"})
#: Any character `fold` changes: most values have none, and a search is cheaper than translate.
_FOLDED_AWAY = re.compile("[" + re.escape("".join(chr(c) for c in _FOLD)) + "]")


def fold(text: str) -> str:
    """Full-width ASCII to half-width, A-Z to a-z, brackets to 〔 〕; the length never changes."""
    return text if _FOLDED_AWAY.search(text) is None else text.translate(_FOLD)


def is_han(run: str) -> bool:
    """A Han run (of text matched by RUNS) or a Han string."""
    return IS_HAN.match(run) is not None


def is_word(run: str) -> bool:
    """A [0-9a-z] run (not Han, not a bracket)."""
    return "0" <= run[0] <= "9" or "a" <= run[0] <= "z"


def runs(folded: str) -> list[str]:
    """The Han runs, [0-9a-z] runs and brackets of folded text, in order."""
    return RUNS.findall(folded)


def run_grams(run: str, *, trailing: bool = True) -> list[str]:
    """A run's tokens: a word or bracket stays whole; Han gives bigrams, then (if trailing) its last character."""
    if len(run) == 1 or not is_han(run):
        return [run]
    grams = [run[i : i + 2] for i in range(len(run) - 1)]
    if trailing:
        grams.append(run[-1])
    return grams


def grams(folded: str) -> list[str]:
    """Tokens of one folded value, as indexed."""
    return _TOKENS.findall(folded)


def char_tokens(folded: str) -> list[str]:
    """Tokens of the character field: each Han character, each [0-9a-z] run, each bracket."""
    return [t for run in runs(folded) for t in (list(run) if is_han(run) else [run])]


def code_prefixes(*codes: str, shortest: int = 4) -> str:
    """Every prefix of at least `shortest` characters of each code, for a whitespace tokenizer.

    An inverted index answers a prefix with one term this way instead of expanding it.
    """
    prefixes: set[str] = set()
    for code in codes:
        code = fold(code.strip())
        prefixes.update(code[:n] for n in range(shortest, len(code) + 1))
    return " ".join(sorted(prefixes))


def segment(han_run: str) -> list[str]:
    """Words of a Han run (rjieba's accurate mode)."""
    return [w for w in rjieba.cut(han_run) if w.strip()]


@lru_cache(maxsize=200_000)
def _word_initials(word: str) -> str:
    return "".join(p[0] for p in lazy_pinyin(word, style=Style.FIRST_LETTER, errors="ignore") if p)


def name_initials(name: str) -> tuple[str, list[int]]:
    """Pinyin initials of a name ("恒达建材" -> "hdjc") and, per letter, the index of its character.

    Words are converted as rjieba segments them, so pypinyin sees each word whole (银行 -> yh)
    and repeated brand and trade words are cached.  [0-9a-z] characters stand for themselves.
    """
    folded = fold(name)
    letters: list[str] = []
    where: list[int] = []
    for match in RUNS.finditer(folded):
        run, start = match.group(), match.start()
        if is_word(run):
            letters.extend(run)
            where.extend(range(start, start + len(run)))
        if not is_han(run):
            continue
        offset = start
        for word in rjieba.cut(run):
            initials = _word_initials(word)
            if len(initials) == len(word):
                letters.append(initials)
                where.extend(range(offset, offset + len(word)))
            offset += len(word)
    return "".join(letters), where


def initials_grams(initials: str) -> list[str]:
    """Overlapping letter trigrams (a shorter string stays whole), at consecutive positions."""
    if len(initials) <= 3:
        return [initials] if initials else []
    return [initials[i : i + 3] for i in range(len(initials) - 2)]


@lru_cache(maxsize=100_000)
def initials_field(name: str) -> str:
    """The initials field of a title. Cached: a name comes back with every record of its entity."""
    return " ".join(initials_grams(name_initials(name)[0]))


def phrase_tokens(phrase_runs: Iterable[str]) -> list[str]:
    """Tokens that find consecutive runs (as `runs` gives them) in the main field.

    A Han run inside the phrase ends where the indexed run ends, so it keeps its trailing
    character; the last run may continue in the document, so it does not, and a last run
    of one Han character is left out (in the index it may be the start of a bigram).
    """
    runs_ = list(phrase_runs)
    if len(runs_) > 1 and len(runs_[-1]) == 1 and is_han(runs_[-1]):
        runs_ = runs_[:-1]
    tokens: list[str] = []
    for i, run in enumerate(runs_):
        tokens.extend(run_grams(run, trailing=i < len(runs_) - 1))
    return tokens


def joined_han_runs(phrase_runs: Iterable[str]) -> list[str]:
    """The runs with neighbouring Han runs joined into one ("恒达", "建材" -> "恒达建材")."""
    joined: list[str] = []
    for run in phrase_runs:
        if joined and is_han(run) and is_han(joined[-1]):
            joined[-1] += run
        else:
            joined.append(run)
    return joined


def covering_grams(han_run: str) -> list[tuple[int, str]]:
    """The fewest (offset, bigram) pairs of a Han run of two or more characters that still pin
    down every character: every other bigram, plus the last one."""
    offsets = list(range(0, len(han_run) - 1, 2))
    if offsets[-1] != len(han_run) - 2:
        offsets.append(len(han_run) - 2)
    return [(i, han_run[i : i + 2]) for i in offsets]
