"""The index entry both engines store for a SearchDoc, and the position entry.

Field values are computed here once, so the two engines index the same tokens.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import orjson

from search.analysis import SEPARATOR, code_prefixes, fold, grams, initials_field
from search.interface import SearchDoc

#: The id of the entry that records the committed log position.  It is never public.
POSITION_ID = "__position__"
#: public_from/public_until as yyyymmdd integers; "forever" and "never" are these.
FOREVER = 99991231


def day_number(iso_date: str | None, default: int = FOREVER) -> int:
    """An ISO date as the integer yyyymmdd (None -> default); raises ValueError if malformed."""
    if not iso_date:
        return default
    day = dt.date.fromisoformat(iso_date[:10])
    return day.year * 10000 + day.month * 100 + day.day


@dataclass(frozen=True, slots=True)
class IndexEntry:
    id: str
    #: The exact-match fields, search.engine.FILTER_FIELDS (filters and facets).
    keywords: dict[str, str]
    #: Bigram tokens of title, document number, department name and text (whitespace-separated).
    grams: str
    #: Bigram tokens of the title alone, to rank name matches first.
    title_grams: str
    #: Folded title, document number, department name and text, for a per-character tokenizer.
    chars: str
    #: Trigrams of the pinyin initials of the title.
    initials: str
    #: Prefixes of the credit code and entity key.
    code_prefixes: str
    public_from: int
    public_until: int
    #: decision date and id: sorting on it gives newest first with the id breaking ties.
    newest: str
    #: What a hit shows, as JSON.
    stored: bytes


def entry(doc: SearchDoc) -> IndexEntry:
    """The index entry of a document."""
    keywords = {
        "doc_type": doc.doc_type,
        "kind": doc.kind,
        "department": doc.department,
        "district": doc.district,
        "year": "" if doc.year is None else str(doc.year),
        "category": doc.category,
        "entity_key": doc.entity_key,
    }
    # The four values, empty ones left out: each folded and cut into tokens once; the title's
    # tokens serve the title field too.
    folded = [fold(v) for v in (doc.title, doc.document_number, doc.department_name, doc.text) if v]
    tokens = [" ".join(grams(v)) for v in folded]
    stored = {
        "id": doc.id,
        "doc_type": doc.doc_type,
        "kind": doc.kind,
        "title": doc.title,
        "text": doc.text,
        "decision_date": doc.decision_date,
        "credit_code": doc.credit_code,
        "entity_key": doc.entity_key,
    }
    return IndexEntry(
        id=doc.id,
        keywords=keywords,
        grams=f" {SEPARATOR} ".join(tokens),
        title_grams=tokens[0] if doc.title else "",
        chars=f" {SEPARATOR} ".join(folded),
        initials=initials_field(doc.title),
        code_prefixes=code_prefixes(*{doc.credit_code, doc.entity_key}),
        public_from=day_number(doc.public_from),
        public_until=day_number(doc.public_until),
        newest=f"{doc.decision_date}|{doc.id}",
        stored=orjson.dumps(stored),
    )


def position_entry(position: int) -> IndexEntry:
    """The entry that records `position`; public from FOREVER, so no search finds it."""
    return IndexEntry(
        id=POSITION_ID, keywords={}, grams="", title_grams="", chars="", initials="",
        code_prefixes="", public_from=FOREVER, public_until=0, newest="",
        stored=orjson.dumps({"position": position}),
    )


def stored_position(stored: bytes | None) -> int:
    return int(orjson.loads(stored)["position"]) if stored else 0
