"""Marking what matched: titles and snippets as escaped HTML with <mark> around matches.

Matching is redone here on the stored text (not taken from an engine), so both engines
highlight alike: each part's runs, with only non-token characters between them, found
in the folded text (folding keeps offsets), and for initials parts the characters of the
name whose pinyin initials spell the query.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from search.analysis import CLOSE, HAN_CLASS, OPEN, fold, is_word, name_initials
from search.query import ParsedQuery, Part

SNIPPET_CHARS = 120
#: How much of the snippet comes before its first match.
SNIPPET_LEAD = 30
_GAP = f"(?:(?!{HAN_CLASS})[^0-9a-z{OPEN}{CLOSE}])*"
Span = tuple[int, int]


def _part_pattern(part: Part) -> str:
    pieces = []
    for run in part.runs:
        escaped = re.escape(run)
        pieces.append(f"(?<![0-9a-z]){escaped}(?![0-9a-z])" if is_word(run) else escaped)
    return _GAP.join(pieces)


@dataclass(frozen=True, slots=True)
class Highlighter:
    """Finds the spans a parsed query matches in a text."""

    #: One pattern per part (not one alternation: parts may overlap, 明山区 and 山区建材).
    patterns: tuple[re.Pattern[str], ...]
    initials: tuple[str, ...]

    @classmethod
    def for_query(cls, parsed: ParsedQuery) -> Highlighter:
        return cls(
            tuple(re.compile(_part_pattern(p)) for p in parsed.parts),
            tuple(p.runs[0] for p in parsed.parts if p.initials),
        )

    def spans(self, text: str, *, is_name: bool = False) -> list[Span]:
        folded = fold(text)
        found = [m.span() for pattern in self.patterns for m in pattern.finditer(folded)]
        if is_name and self.initials:
            letters, where = name_initials(text)
            for needle in self.initials:
                for start in (m.start() for m in re.finditer(f"(?={re.escape(needle)})", letters)):
                    found += [(where[i], where[i] + 1) for i in range(start, start + len(needle))]
        return _merge(found)

    def title(self, title: str) -> str:
        return mark(title, self.spans(title, is_name=True))

    def snippet(self, text: str) -> str:
        """About SNIPPET_CHARS characters of `text` around the first match, marked."""
        spans = self.spans(text)
        start = max(0, spans[0][0] - SNIPPET_LEAD) if spans else 0
        end = min(len(text), start + SNIPPET_CHARS)
        start = max(0, end - SNIPPET_CHARS)
        inside = [(max(a, start) - start, min(b, end) - start) for a, b in spans if a < end and b > start]
        return ("…" if start else "") + mark(text[start:end], inside) + ("…" if end < len(text) else "")


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def mark(text: str, spans: Iterable[Span]) -> str:
    """`text` HTML-escaped, with each (sorted, disjoint) span wrapped in <mark>."""
    out: list[str] = []
    last = 0
    for a, b in spans:
        out += [html.escape(text[last:a]), "<mark>", html.escape(text[a:b]), "</mark>"]
        last = b
    out.append(html.escape(text[last:]))
    return "".join(out)
