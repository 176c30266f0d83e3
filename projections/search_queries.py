"""Public search: the index answers for the present, the versioned read models for the past.

The index holds the state at its own log position and applies the publicity rules on
any day, so it answers every moment at or after that position. A moment before it (an
auditor's `as_of`) is answered from the read-model rows of that position, with the same
documents, query parsing, filters, facets and highlighting, by a scan that is slower
and capped at HISTORY_LIMIT candidates.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import schemas
from projections.db import Database
from projections.public import Moment, public_clause, version_clause
from projections.queries import Paging, page_of
from projections.search_index import entity_doc, record_doc
from search.analysis import fold
from search.interface import FACET_FIELDS, Hit, SearchDoc, SearchIndex, SearchResult
from search.highlight import Highlighter
from search.query import ParsedQuery, parse

HISTORY_LIMIT = 5000
#: A note on a history search that stopped at HISTORY_LIMIT candidates: its total is a lower bound.
CAPPED = "history_capped"


def search(index: SearchIndex, db: Database, moment: Moment, q: str, filters: Mapping[str, str],
           sort: str, paging: Paging) -> dict[str, Any]:
    """One page of hits with facets over all matches, and the log position the answer reflects."""
    at = index.position()
    chosen = {name: [value] for name, value in filters.items() if value}
    if moment.position is None or moment.position >= at:
        result = index.search(q, today=moment.today, filters=chosen, facets=FACET_FIELDS, sort=sort,  # type: ignore[arg-type]
                              page=paging.page, page_size=paging.size)
        source = "index"
    else:
        result = history_search(db, moment, q, filters, sort, paging)
        at, source = moment.position, "history"
    page = page_of([asdict(h) for h in result.hits], result.total, paging)
    return {
        "position": at, "today": moment.today, "source": source, "query": result.query,
        "query_trimmed": result.query_trimmed, "total_is_estimate": CAPPED in result.notes,
        "notes": result.notes, "filters": {k: v for k, v in filters.items() if v}, "sort": sort,
        "facets": {name: [[value, count] for value, count in values] for name, values in result.facets.items()},
        **page,
    }


def history_search(db: Database, moment: Moment, q: str, filters: Mapping[str, str], sort: str,
                   paging: Paging) -> SearchResult:
    """Search the documents as they were at a past log position (no index involved)."""
    parsed = parse(q)
    if not parsed.is_browse and not parsed.parts:
        return SearchResult(parsed.text, 0, [], {f: [] for f in FACET_FIELDS}, paging.page, paging.size,
                            notes=["no_searchable_characters"])
    docs = [d for d in _candidates(db, moment, parsed) if _matches(d, parsed) and _kept(d, filters)]
    facets = {name: Counter(str(v) for d in docs if (v := getattr(d, name)) not in (None, "")) for name in FACET_FIELDS}
    marker = Highlighter.for_query(parsed)
    if sort == "relevance" and not parsed.is_browse:
        docs.sort(key=lambda d: d.id)
        docs.sort(key=lambda d: d.decision_date, reverse=True)
        docs.sort(key=lambda d: len(marker.spans(d.title)), reverse=True)
    else:
        docs.sort(key=lambda d: (d.decision_date, d.id), reverse=True)
    shown = docs[paging.offset:paging.offset + paging.size]
    hits = [Hit(id=d.id, doc_type=d.doc_type, kind=d.kind, title=d.title, title_html=marker.title(d.title),
                snippet_html=marker.snippet(d.text), score=0.0, decision_date=d.decision_date,
                credit_code=d.credit_code, entity_key=d.entity_key) for d in shown]
    return SearchResult(parsed.text, len(docs), hits,
                        {name: sorted(c.items(), key=lambda vn: (-vn[1], vn[0])) for name, c in facets.items()},
                        paging.page, paging.size, query_trimmed=parsed.trimmed,
                        notes=["query_trimmed"] * parsed.trimmed + [CAPPED] * (len(docs) >= HISTORY_LIMIT))


def _candidates(db: Database, moment: Moment, parsed: ParsedQuery) -> list[SearchDoc]:
    """Public records and registered entities at the moment whose text contains every run typed."""
    runs = [run for part in parsed.parts for run in part.runs]
    like = " AND ".join(["LOWER({text}) LIKE ?"] * len(runs)) or "1=1"
    terms = [f"%{run}%" for run in runs]
    public, params = public_clause(moment)
    versions, vparams = version_clause(moment, "e")
    record_text = "COALESCE(r.party_name,'') || ' ' || COALESCE(r.document_number,'') || ' ' || " \
                  "COALESCE(r.credit_code,'') || ' ' || r.data"
    entity_text = "COALESCE(e.name,'') || ' ' || COALESCE(e.credit_code,'') || ' ' || e.data"
    names = {d["code"]: d["name"] for d in schemas.catalog()["departments"]}
    with db.snapshot():
        records = db.query(
            f"SELECT r.* FROM v_records r WHERE {public} AND {like.format(text=record_text)} "
            "ORDER BY r.decision_date DESC, r.record_id LIMIT ?", [*params, *terms, HISTORY_LIMIT])
        entities = db.query(
            f"SELECT e.* FROM v_entities e WHERE {versions} AND e.registered_in_city = 1 "
            f"AND {like.format(text=entity_text)} ORDER BY e.entity_key LIMIT ?", [*vparams, *terms, HISTORY_LIMIT])
    return [record_doc(r, names) for r in records] + [entity_doc(e) for e in entities]


def _matches(doc: SearchDoc, parsed: ParsedQuery) -> bool:
    """Every part of the query is in the document (as the index would find it, initials aside)."""
    haystack = " | ".join((doc.title, doc.document_number, doc.department_name, doc.text))
    codes = fold(f"{doc.credit_code} {doc.entity_key}")
    for part in parsed.parts:
        one = Highlighter.for_query(ParsedQuery(parsed.text, False, (part,), ()))
        if not one.spans(haystack) and not (part.code_prefix and part.runs[0] in codes):
            return False
    return True


def _kept(doc: SearchDoc, filters: Mapping[str, str]) -> bool:
    return all(str(getattr(doc, name) or "") == value for name, value in filters.items() if value)
