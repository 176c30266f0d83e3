"""A search request checked once for both engines, and the result built from engine rows."""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from search.documents import day_number
from search.interface import FACET_FIELDS, FILTER_FIELDS, MAX_PAGE_SIZE, MAX_RESULT_WINDOW, Hit, InvalidSearchError, SearchResult, Sort
from search.highlight import Highlighter
from search.query import ParsedQuery, parse


@dataclass(frozen=True, slots=True)
class SearchRequest:
    parsed: ParsedQuery
    today: int
    filters: dict[str, tuple[str, ...]]
    facets: tuple[str, ...]
    sort: Sort
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def lists_hits(self) -> bool:
        """The page lies within MAX_RESULT_WINDOW hits."""
        return self.offset + self.page_size <= MAX_RESULT_WINDOW

    @property
    def matches_nothing(self) -> bool:
        """The user typed something, but nothing searchable (only punctuation)."""
        return not self.parsed.is_browse and not self.parsed.parts


def request(
    q: str,
    *,
    today: str,
    filters: Mapping[str, Sequence[str]] | None,
    facets: Sequence[str],
    sort: str,
    page: int,
    page_size: int,
) -> SearchRequest:
    """Check the arguments of `SearchIndex.search`; an empty query sorts newest first."""
    try:
        today_number = day_number(today, default=-1)
    except (TypeError, ValueError):
        raise InvalidSearchError(f"today must be an ISO date, got {today!r}") from None
    if today_number < 0:
        raise InvalidSearchError("today is required")
    unknown = sorted(set(filters or {}) - set(FILTER_FIELDS)) + sorted(set(facets) - set(FACET_FIELDS))
    if unknown:
        raise InvalidSearchError(f"cannot filter or facet on {', '.join(unknown)}")
    if sort not in ("relevance", "newest"):
        raise InvalidSearchError(f"sort must be relevance or newest, got {sort!r}")
    try:
        page, page_size = int(page), int(page_size)
    except (TypeError, ValueError):
        raise InvalidSearchError(f"page and page_size must be integers, got {page!r}, {page_size!r}") from None
    parsed = parse(q or "")
    chosen = {
        name: tuple(str(v) for v in ([values] if isinstance(values, str) else values))
        for name, values in (filters or {}).items()
    }
    return SearchRequest(
        parsed=parsed,
        today=today_number,
        filters={name: values for name, values in chosen.items() if values},
        facets=tuple(dict.fromkeys(facets)),
        sort="newest" if parsed.is_browse else sort,  # type: ignore[arg-type]
        page=max(1, page),
        page_size=min(MAX_PAGE_SIZE, max(1, page_size)),
    )


def result(
    req: SearchRequest,
    total: int,
    rows: Sequence[tuple[float, bytes]],
    facets: Mapping[str, Mapping[str, int]],
) -> SearchResult:
    """Assemble the result from an engine's total, (score, stored entry) rows and facet counts."""
    marker = Highlighter.for_query(req.parsed)
    hits = []
    for score, stored in rows:
        d = json.loads(stored)
        hits.append(
            Hit(
                id=d["id"], doc_type=d["doc_type"], kind=d["kind"], title=d["title"],
                title_html=marker.title(d["title"]), snippet_html=marker.snippet(d["text"]),
                score=float(score), decision_date=d["decision_date"], credit_code=d["credit_code"],
                entity_key=d["entity_key"],
            )
        )
    notes = []
    if req.parsed.trimmed:
        notes.append("query_trimmed")
    if req.matches_nothing:
        notes.append("no_searchable_characters")
    if not req.lists_hits:
        notes.append("beyond_result_window")
    return SearchResult(
        query=req.parsed.text,
        total=total,
        hits=hits,
        facets={
            name: sorted(((v, n) for v, n in facets.get(name, {}).items() if v), key=lambda vn: (-vn[1], vn[0]))
            for name in req.facets
        },
        page=req.page,
        page_size=req.page_size,
        query_trimmed=req.parsed.trimmed,
        notes=notes,
    )
