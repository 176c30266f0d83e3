"""The search interface the platform uses: documents, hits, results, errors, and what an index does.

Both engines (search/tantivy_backend.py, search/whoosh_backend.py) implement `SearchIndex`;
search/engine.py chooses one.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

DocType = Literal["record", "entity"]
Sort = Literal["relevance", "newest"]

#: Fields a query may filter on (exact match, no effect on scores).
FILTER_FIELDS = ("doc_type", "kind", "department", "district", "year", "category", "entity_key")
#: Fields facets may be asked for.
FACET_FIELDS = ("kind", "department", "district", "year", "category")
MAX_PAGE_SIZE = 1000
#: Hits beyond this many are not listed (the total still counts them): deeper pages cost
#: memory in proportion (tantivy aborts the process when it cannot allocate them).
MAX_RESULT_WINDOW = 20_000


class SearchError(Exception):
    """Base class of the errors this package raises."""


class IndexBusyError(SearchError):
    """Another writer (in this or another process) holds the index's write lock."""


class InvalidSearchError(SearchError, ValueError):
    """A filter, facet, sort, date or page the interface cannot take (never the query text)."""


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """One searchable document: a disclosure record or an entity profile.

    Dates are ISO strings; public_until is the last public day (None: forever).
    """

    id: str
    doc_type: DocType
    kind: str
    title: str
    text: str
    public_from: str
    public_until: str | None
    decision_date: str
    credit_code: str = ""
    document_number: str = ""
    department: str = ""
    department_name: str = ""
    district: str = ""
    year: int | None = None
    category: str = ""
    entity_key: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    """One result; `title_html` and `snippet_html` are escaped HTML with <mark> around matches."""

    id: str
    doc_type: str
    kind: str
    title: str
    title_html: str
    snippet_html: str
    score: float
    decision_date: str
    credit_code: str
    entity_key: str


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A page of hits, the exact total over all pages, and facet counts over all matches.

    `facets` maps each requested field to (value, count) pairs, most frequent first.
    `notes` holds machine-readable remarks: "query_trimmed" (the text was cut to
    search.query.MAX_QUERY_CHARS; `query` is what was searched),
    "no_searchable_characters" (the text had no Han character or letter or digit, so
    nothing matches) and "beyond_result_window" (the page lies past MAX_RESULT_WINDOW
    hits, so it lists none; narrow the query with filters instead).
    """

    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    page: int
    page_size: int
    query_trimmed: bool = False
    notes: list[str] = field(default_factory=list)


class SearchIndex(Protocol):
    """A full-text index that a projection keeps at a committed log position.

    One writer at a time: the first add/delete/clear takes the index's write lock (another
    writer, in any process, gets IndexBusyError).  Any number of readers, in this process
    or others, see each commit at their next search, and never a half-applied one.
    """

    def add(self, docs: Iterable[SearchDoc]) -> None:
        """Add documents, replacing any with the same id; visible after `commit`."""

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id (unknown ids are ignored); visible after `commit`."""

    def clear(self) -> None:
        """Remove every document; like `add`, it takes effect at the next `commit`."""

    def commit(self, position: int) -> None:
        """Durably publish pending changes together with the log position they reflect."""

    def rollback(self) -> None:
        """Discard changes made since the last commit."""

    def position(self) -> int:
        """The log position of the last commit (0 for a new index)."""

    def search(
        self,
        q: str,
        *,
        today: str,
        filters: Mapping[str, Sequence[str]] | None = None,
        facets: Sequence[str] = (),
        sort: Sort = "relevance",
        page: int = 1,
        page_size: int = 20,
    ) -> SearchResult:
        """Documents matching `q` and `filters` that are public on `today`.

        `q` is read as search.query describes (it never raises; empty lists every public
        document, newest first).  A document is public when public_from <= today <=
        public_until (None: forever).  `filters` maps FILTER_FIELDS to accepted values:
        any value of a field, every field; they never change scores.  `facets` (of
        FACET_FIELDS) count all matches.  "newest" orders by decision date, then id, both
        descending.  `page` starts at 1; `page_size` is clamped to 1..MAX_PAGE_SIZE; pages
        past MAX_RESULT_WINDOW hits are empty.
        Unknown filter or facet fields, sorts or a malformed `today` raise InvalidSearchError.
        """

    def close(self) -> None:
        """Release the write lock (discarding uncommitted changes) and files."""
