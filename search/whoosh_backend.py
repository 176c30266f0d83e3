"""The whoosh engine (whoosh-reloaded, pure Python), selectable with GONGSHI_SEARCH_ENGINE=whoosh.

It indexes the same tokens as the tantivy engine (see search.documents) and answers the
same queries; see bench/SEARCH_RESULTS.md for why it is not the default.

A whoosh writer cannot replace a document it has not committed yet, so changes wait in
memory (one entry per id, last one wins) and are written by `commit`, which also records
the position, in one whoosh commit (atomic: the new table of contents is written last).
Commit in batches.  The write lock is taken by the first change and released by commit.
Publicity and filters are computed once per searcher, day and filter set, and applied as
a whoosh filter, so they never score.  Facets and date order read per-searcher copies of
the sortable columns (whoosh's own grouping and sorting cost ~50 us per document).
The index is never optimized online.
"""
from __future__ import annotations

import heapq
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from whoosh import fields, index, sorting, writing
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.index import LockError
from whoosh.searching import Searcher

from search.analysis import initials_grams, joined_han_runs, phrase_tokens
from search.documents import POSITION_ID, IndexEntry, entry, position_entry, stored_position
from search.interface import FACET_FIELDS, FILTER_FIELDS, IndexBusyError, SearchDoc, SearchResult, Sort
from search.query import Part
from search.request import SearchRequest, request, result

WRITER_LIMIT_MB = 256
TITLE_BOOST = 2.0
WHOLE_WORD_BOOST = 3.0
#: Distinct (day, filters) sets kept per searcher.
ALLOWED_CACHE_SIZE = 64


def _schema() -> fields.Schema:
    tokens = SpaceSeparatedTokenizer()
    keywords = {name: fields.ID(sortable=name in FACET_FIELDS) for name in FILTER_FIELDS}
    return fields.Schema(
        id=fields.ID(unique=True),
        grams=fields.TEXT(analyzer=tokens),
        title_grams=fields.TEXT(analyzer=tokens),
        initials=fields.TEXT(analyzer=tokens),
        code_prefixes=fields.KEYWORD(),
        # Signed: whoosh 2.7.5 answers an open-started range on an unsigned field with every value.
        public_from=fields.NUMERIC(int),
        public_until=fields.NUMERIC(int),
        newest=fields.ID(sortable=True),
        stored=fields.STORED(),
        **keywords,
    )


def _fields(e: IndexEntry) -> dict[str, object]:
    values: dict[str, object] = {
        "id": e.id, **e.keywords, "grams": e.grams, "title_grams": e.title_grams, "initials": e.initials,
        "code_prefixes": e.code_prefixes, "newest": e.newest,
    }
    return {k: v for k, v in values.items() if v} | {
        "public_from": e.public_from, "public_until": e.public_until, "stored": e.stored,
    }


class WhooshIndex:
    """SearchIndex on whoosh; see search.engine.SearchIndex for the contract."""

    def __init__(self, directory: Path):
        self._directory = directory
        if index.exists_in(str(directory)):
            self._ix = index.open_dir(str(directory))
        else:
            self._ix = index.create_in(str(directory), _schema())
        self._writer: writing.SegmentWriter | None = None
        self._pending: dict[str, SearchDoc | None] = {}
        self._cleared = False
        self._searcher: Searcher | None = None
        # Per-searcher caches: allowed documents by (day, filters), and column values.
        self._allowed: dict[tuple, set[int]] = {}
        self._allowed_of: Searcher | None = None
        self._columns: dict[str, list[str]] = {}
        self._columns_of: Searcher | None = None
        self._lock = threading.RLock()

    # writing

    def _write(self) -> writing.SegmentWriter:
        if self._writer is None:
            try:
                self._writer = self._ix.writer(limitmb=WRITER_LIMIT_MB)
            except LockError as e:
                raise IndexBusyError(f"another writer holds {self._directory}") from e
        return self._writer

    def add(self, docs: Iterable[SearchDoc]) -> None:
        with self._lock:
            self._write()
            for doc in docs:
                self._pending[doc.id] = doc

    def delete(self, ids: Iterable[str]) -> None:
        with self._lock:
            self._write()
            for doc_id in ids:
                self._pending[doc_id] = None

    def clear(self) -> None:
        with self._lock:
            self._write()
            self._pending.clear()
            self._cleared = True

    def commit(self, position: int) -> None:
        with self._lock:
            writer = self._write()
            try:
                if not self._cleared and self._ix.doc_count_all():
                    for doc_id in [*self._pending, POSITION_ID]:
                        writer.delete_by_term("id", doc_id)
                for doc in self._pending.values():
                    if doc is not None:
                        writer.add_document(**_fields(entry(doc)))
                writer.add_document(**_fields(position_entry(position)))
                writer.commit(mergetype=writing.CLEAR if self._cleared else writing.MERGE_SMALL)
            except BaseException:
                writer.cancel()
                raise
            finally:
                self._writer, self._pending, self._cleared = None, {}, False

    def rollback(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.cancel()
            self._writer, self._pending, self._cleared = None, {}, False

    def close(self) -> None:
        """Discard uncommitted changes, release the write lock and close the searcher."""
        with self._lock:
            self.rollback()
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    # reading

    def _current(self) -> Searcher:
        with self._lock:
            if self._searcher is None:
                self._searcher = self._ix.searcher()
            elif not self._searcher.up_to_date():
                # A new searcher, not refresh(): refreshing one over an empty index fails, and
                # threads still using the old searcher keep it until they are done.
                self._searcher = self._ix.searcher()
            return self._searcher

    def position(self) -> int:
        found = self._current().document(id=POSITION_ID)
        return stored_position(found["stored"]) if found else 0

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
        req = request(q, today=today, filters=filters, facets=facets, sort=sort, page=page, page_size=page_size)
        if req.matches_nothing:
            return result(req, 0, [], {})
        searcher = self._current()
        allowed = self._allowed_docs(searcher, req)
        query = self._compile(req)
        # One unscored pass finds every match (for the total, facets and date order);
        # whoosh's own counting after a scored search would run the query again.
        matched = allowed if req.parsed.is_browse else [d for d in searcher.docs_for_query(query) if d in allowed]
        end = req.offset + req.page_size
        if not req.lists_hits or not matched:  # whoosh reads an empty filter as "no filter"
            scored = []
        elif req.sort == "newest":
            newest = self._column(searcher, "newest")
            page_docs = heapq.nlargest(end, matched, key=newest.__getitem__)[req.offset :]
            scored = [(0.0, d) for d in page_docs]
        else:
            found = searcher.search(query, limit=end, filter=allowed)
            scored = [(hit.score, hit.docnum) for hit in found[req.offset : end]]
        rows = [(score, searcher.stored_fields(d)["stored"]) for score, d in scored]
        counts = {name: Counter(map(self._column(searcher, name).__getitem__, matched)) for name in req.facets}
        return result(req, len(matched), rows, counts)

    def _column(self, searcher: Searcher, name: str) -> list[str]:
        """A sortable field's value for every document number (cached per searcher)."""
        with self._lock:
            values = self._columns.get(name)
            if values is None or self._columns_of is not searcher:
                if self._columns_of is not searcher:
                    self._columns, self._columns_of = {}, searcher
                reader = searcher.reader()
                values = list(reader.column_reader(name, translate=True)) if reader.doc_count_all() else []
                self._columns[name] = values
            return values

    def _allowed_docs(self, searcher: Searcher, req: SearchRequest) -> set[int]:
        """Documents public on req.today that pass the filters (cached per searcher)."""
        key = (req.today, tuple(sorted(req.filters.items())))
        with self._lock:
            if self._allowed_of is not searcher:
                self._allowed, self._allowed_of = {}, searcher
            cached = self._allowed.get(key)
        if cached is not None:
            return cached
        conditions: list[wq.Query] = [
            wq.NumericRange("public_from", None, req.today),
            wq.NumericRange("public_until", req.today, None),
        ]
        conditions += [wq.Or([wq.Term(name, v) for v in values]) for name, values in req.filters.items()]
        allowed = set(searcher.docs_for_query(wq.And(conditions)))
        with self._lock:
            if self._allowed_of is searcher:
                if len(self._allowed) >= ALLOWED_CACHE_SIZE:
                    self._allowed.pop(next(iter(self._allowed)))
                self._allowed[key] = allowed
        return allowed

    # query building

    def _compile(self, req: SearchRequest) -> wq.Query:
        if req.parsed.is_browse:
            return wq.Every()
        required = wq.And([_part(p) for p in req.parsed.parts])
        boosts = [
            _sequence("title_grams", phrase_tokens([p.runs[0]]), TITLE_BOOST) for p in req.parsed.parts if p.is_han_word
        ] + [_sequence("title_grams", phrase_tokens([p.runs[0]]), WHOLE_WORD_BOOST) for p in req.parsed.phrases]
        return wq.AndMaybe(required, wq.Or(boosts)) if boosts else required


def _part(part: Part) -> wq.Query:
    if part.is_char:
        return wq.Prefix("grams", part.runs[0])
    if part.is_word:
        word = part.runs[0]
        options: list[wq.Query] = [wq.Term("grams", word)]
        if part.code_prefix:
            options.append(wq.Term("code_prefixes", word))
        if part.initials:
            options.append(_sequence("initials", initials_grams(word)))
        return options[0] if len(options) == 1 else wq.Or(options)
    apart = _sequence("grams", phrase_tokens(part.runs))
    joined = _sequence("grams", phrase_tokens(joined_han_runs(part.runs)))
    # Adjacent Han runs ("恒达 建材") may be one run in the document, indexed differently.
    return apart if joined == apart else wq.Or([apart, joined])


def _sequence(field: str, tokens: list[str], boost: float = 1.0) -> wq.Query:
    if len(tokens) == 1:
        return wq.Term(field, tokens[0], boost=boost)
    return wq.Phrase(field, tokens, boost=boost)
