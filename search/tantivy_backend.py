"""The tantivy engine (PyPI `tantivy`, Rust): the default, see bench/SEARCH_RESULTS.md.

A commit is atomic (tantivy publishes segments by rewriting meta.json), and the position
entry is part of it.  Readers check meta.json before each search and reload when it
changed, so other processes' commits are seen at once and unchanged indexes cost a stat.
The write lock is taken by the first change and held until `close`.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tantivy
from tantivy import FieldType, Occur, Query

from search.analysis import CLOSE, OPEN, RUST_HAN_CLASS, SEPARATOR, char_tokens, covering_grams, initials_grams
from search.documents import POSITION_ID, IndexEntry, entry, position_entry, stored_position
from search.interface import FACET_FIELDS, FILTER_FIELDS, IndexBusyError, SearchDoc, SearchError, SearchResult, Sort
from search.query import Part
from search.request import SearchRequest, request, result

CHARS_TOKENIZER = "gongshi_chars"
WRITER_HEAP_BYTES = 128_000_000
#: One indexing thread: the machine is shared with the web and the other projections.
WRITER_THREADS = 1
TITLE_BOOST = 2.0
WHOLE_WORD_BOOST = 3.0
#: A word in more than this share of titles (有限公司, 明山区), and in more than
#: COMMON_TITLE_MINIMUM of them, cannot tell names apart, so it gets no title boost:
#: at 1M documents that phrase costs a third of the query time.
COMMON_TITLE_SHARE = 0.05
COMMON_TITLE_MINIMUM = 1000
#: A query whose rarest term is in more than this share of documents is "dense".
DENSE_SHARE = 0.1
FACET_SIZE = 10_000
_FACET_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-facets")


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", tokenizer_name="raw", index_option="basic")
    for name in FILTER_FIELDS:
        b.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=name in FACET_FIELDS)
    for name in ("grams", "title_grams", "initials"):
        b.add_text_field(name, tokenizer_name="whitespace")
    b.add_text_field("chars", tokenizer_name=CHARS_TOKENIZER)
    b.add_text_field("code_prefixes", tokenizer_name="whitespace", index_option="basic")
    b.add_integer_field("public_from", indexed=True)
    b.add_integer_field("public_until", indexed=True, fast=True)
    b.add_text_field("newest", tokenizer_name="raw", index_option="basic", fast=True)
    b.add_bytes_field("stored", stored=True)
    return b.build()


def _chars_analyzer() -> tantivy.TextAnalyzer:
    pattern = f"{RUST_HAN_CLASS}|[0-9a-z]+|[{OPEN}{CLOSE}]|\\{SEPARATOR}"
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(pattern)).build()


def _document(e: IndexEntry) -> tantivy.Document:
    return tantivy.Document(
        id=e.id, **e.keywords, grams=e.grams, title_grams=e.title_grams, chars=e.chars,
        initials=e.initials, code_prefixes=e.code_prefixes, public_from=e.public_from,
        public_until=e.public_until, newest=e.newest, stored=e.stored,
    )


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


class TantivyIndex:
    """SearchIndex on tantivy; see search.engine.SearchIndex for the contract."""

    def __init__(self, directory: Path):
        self._directory = directory
        self._schema = _schema()
        try:
            self._index = tantivy.Index(self._schema, path=str(directory), reuse=True)
        except ValueError as e:
            raise SearchError(f"{directory} holds an index of another layout ({e}); bump LAYOUT_VERSION") from e
        self._index.register_tokenizer(CHARS_TOKENIZER, _chars_analyzer())
        self._index.config_reader(reload_policy="Manual")
        self._writer: tantivy.IndexWriter | None = None
        self._seen: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    # writing

    def _write(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=WRITER_THREADS)
            except ValueError as e:
                if "LockBusy" in str(e):
                    raise IndexBusyError(f"another writer holds {self._directory}") from e
                raise
        return self._writer

    def add(self, docs: Iterable[SearchDoc]) -> None:
        with self._lock:
            writer = self._write()
            for doc in docs:
                e = entry(doc)
                writer.delete_documents_by_term("id", e.id)
                writer.add_document(_document(e))

    def delete(self, ids: Iterable[str]) -> None:
        with self._lock:
            writer = self._write()
            for doc_id in ids:
                writer.delete_documents_by_term("id", doc_id)

    def clear(self) -> None:
        with self._lock:
            writer = self._write()
            writer.rollback()
            writer.delete_all_documents()

    def commit(self, position: int) -> None:
        with self._lock:
            writer = self._write()
            writer.delete_documents_by_term("id", POSITION_ID)
            writer.add_document(_document(position_entry(position)))
            writer.commit()
            self._seen = None

    def rollback(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.rollback()

    def close(self) -> None:
        """Discard uncommitted changes, let merges finish and release the write lock."""
        with self._lock:
            if self._writer is not None:
                writer, self._writer = self._writer, None
                writer.rollback()
                writer.wait_merging_threads()

    # reading

    def _searcher(self) -> tantivy.Searcher:
        signature = _signature(self._directory / "meta.json")
        if signature != self._seen:
            with self._lock:
                self._index.reload()
                self._seen = signature
        return self._index.searcher()

    def position(self) -> int:
        searcher = self._searcher()
        found = searcher.search(Query.term_query(self._schema, "id", POSITION_ID), limit=1, count=False)
        if not found.hits:
            return 0
        return stored_position(searcher.doc(found.hits[0][1]).get_first("stored"))

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
        searcher = self._searcher()
        query = self._compile(req, searcher)
        # tantivy releases the GIL, so facets are counted on another core while the page is found.
        facets = _FACET_POOL.submit(self._facets, searcher, query, req.facets) if req.facets else None
        if not req.lists_hits:
            found = searcher.search(query, limit=1)
            rows = []
        elif req.sort == "newest":
            found = searcher.search(
                query, limit=req.page_size, offset=req.offset, order_by_field="newest", order=tantivy.Order.Desc
            )
            rows = [(0.0, searcher.doc(address).get_first("stored")) for _, address in found.hits]
        else:
            found = searcher.search(query, limit=req.page_size, offset=req.offset)
            rows = [(score, searcher.doc(address).get_first("stored")) for score, address in found.hits]
        return result(req, found.count, rows, facets.result() if facets else {})

    def _facets(self, searcher: tantivy.Searcher, query: Query, names: Sequence[str]) -> dict[str, dict[str, int]]:
        if not names:
            return {}
        spec = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in names}
        aggregated = searcher.aggregate(query, spec)
        return {name: {b["key"]: b["doc_count"] for b in aggregated[name]["buckets"]} for name in names}

    # query building

    def _compile(self, req: SearchRequest, searcher: tantivy.Searcher) -> Query:
        s = self._schema
        clauses: list[tuple[Occur, Query]] = []
        most = searcher.num_docs
        for p in req.parsed.parts:
            query, matches = self._part(p, searcher)
            clauses.append((Occur.Must, query))
            most = min(most, matches)
        boosts = [(p, TITLE_BOOST) for p in req.parsed.parts if p.is_han_word]
        boosts += [(p, WHOLE_WORD_BOOST) for p in req.parsed.phrases]
        common = max(COMMON_TITLE_MINIMUM, searcher.num_docs * COMMON_TITLE_SHARE)
        for p, boost in boosts:
            if min(searcher.doc_freq("title_grams", g) for _, g in covering_grams(p.runs[0])) <= common:
                clauses.append((Occur.Should, Query.boost_query(_phrase(s, "title_grams", p.runs[0]), boost)))
        for name, values in req.filters.items():
            clauses.append((Occur.Must, Query.const_score_query(Query.term_set_query(s, name, list(values)), 0.0)))
        return Query.boolean_query(clauses + self._public_on(req.today, dense=most > searcher.num_docs * DENSE_SHARE))

    def _public_on(self, today: int, *, dense: bool) -> list[tuple[Occur, Query]]:
        """Clauses for public_from <= today <= public_until, chosen by measurement (1M documents).

        Documents not yet public are few, so they are excluded through the inverted index.
        public_until is checked on the fast field when the text matches few documents, and
        read as one set from the inverted index when most documents are candidates (an
        all-documents query: 22 -> 8 ms; 有限公司: 37 -> 26 ms CPU).
        """
        s = self._schema
        not_yet = Query.range_query(
            s, "public_from", FieldType.Integer, lower_bound=today, include_lower=False, use_inverted_index=True
        )
        still = Query.range_query(s, "public_until", FieldType.Integer, lower_bound=today, use_inverted_index=dense)
        return [(Occur.MustNot, not_yet), (Occur.Must, Query.const_score_query(still, 0.0))]

    def _part(self, part: Part, searcher: tantivy.Searcher) -> tuple[Query, int]:
        """The query for a part, and at most how many documents it matches (its rarest term)."""
        s = self._schema
        df = searcher.doc_freq
        if part.is_char:
            return Query.term_query(s, "chars", part.runs[0]), df("chars", part.runs[0])
        if part.is_han_word:
            run = part.runs[0]
            return _phrase(s, "grams", run), min(df("grams", g) for _, g in covering_grams(run))
        if part.is_word:
            word = part.runs[0]
            options = [(Query.term_query(s, "grams", word), df("grams", word))]
            if part.code_prefix:
                options.append((Query.term_query(s, "code_prefixes", word), df("code_prefixes", word)))
            if part.initials:
                grams = initials_grams(word)
                options.append((_consecutive(s, "initials", grams), min(df("initials", g) for g in grams)))
            if len(options) == 1:
                return options[0]
            return Query.boolean_query([(Occur.Should, q) for q, _ in options]), sum(n for _, n in options)
        tokens = [t for run in part.runs for t in char_tokens(run)]
        return _consecutive(s, "chars", tokens), min(df("chars", t) for t in tokens)


def _phrase(schema: tantivy.Schema, field: str, han_run: str) -> Query:
    """Exact substring `han_run` (two or more Han characters) in a bigram field."""
    pairs = covering_grams(han_run)
    if len(pairs) == 1:
        return Query.term_query(schema, field, pairs[0][1])
    return Query.phrase_query(schema, field, pairs)


def _consecutive(schema: tantivy.Schema, field: str, tokens: list[str]) -> Query:
    if len(tokens) == 1:
        return Query.term_query(schema, field, tokens[0])
    return Query.phrase_query(schema, field, tokens)
