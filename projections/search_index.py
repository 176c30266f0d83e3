"""The search projection: follows the log and keeps the full-text index in step with it.

A batch's documents are built from the read models' rows current at the batch's last
position (the rows are versioned, so this holds however far the read models have moved
on), and committed to the index together with that position. What the index may hold is
decided by projections/public.py (`public_in_window_clause`): withdrawn, repaired and
unpublished records are deleted; publicity windows are applied by the index at query
time, because time moves on without any new event. Entity documents exist only for
entities registered in the city: others have a profile only while one of their records
is public, which the index cannot decide.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import orjson

import schemas
from domain.codes import entity_category
from domain.records import Entity, Record
from projections.db import Database
from projections.public import Moment, public_in_window_clause, reflected_position, version_clause
from projections.runner import Event
from search.interface import IndexBusyError, SearchDoc, SearchIndex

log = logging.getLogger(__name__)

#: Public fields that are not prose: identifiers, dates, amounts and codes are indexed elsewhere or not at all.
_NOT_TEXT = {"party_name", "credit_code", "document_number", "authority_code", "source_unit_code",
             "listing_authority_code", "party_type", "state", "procedure", "removal"}
#: Fields about the party rather than the decision.
_PARTY = {"legal_representative", "registration_number"}
#: An entity document is public from the start of time.
ALWAYS = "0001-01-01"
_CHUNK = 500


class ReadModelsBehind(RuntimeError):
    """The read models have not reached the position the index is asked to reflect."""


def _last_public_day(public_until: str | None) -> str | None:
    """The read model's end is exclusive (first day no longer public); the index's is the last public day."""
    if public_until is None:
        return None
    return (dt.date.fromisoformat(public_until) - dt.timedelta(days=1)).isoformat()


def _text(values: Iterable[Any]) -> str:
    out = []
    for value in values:
        if isinstance(value, str) and value:
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, str))
    return " ".join(out)


@lru_cache(maxsize=None)
def _prose_of(kind: str) -> tuple[str, tuple[str, ...]]:
    """A kind's title and the fields whose text is indexed, the decision's own text first (snippets start with it)."""
    names = [k for k in schemas.kind_schema(kind)["properties"]
             if k not in _NOT_TEXT and not k.endswith(("date", "_from", "_to"))]
    names.sort(key=lambda k: k in _PARTY)
    return schemas.kind_schema(kind).get("title", ""), tuple(names)


def record_doc(row: dict[str, Any], department_names: dict[str, str]) -> SearchDoc:
    """The search document of one record version (a row of v_records)."""
    data = orjson.loads(row["data"])
    kind = row["kind"]
    decided = row["decision_date"] or ""
    title, names = _prose_of(kind)
    prose = _text(data.get(k) for k in names)
    removal = data.get("removal") or {}
    return SearchDoc(
        id=row["record_id"], doc_type="record", kind=kind, title=row["party_name"] or "",
        text=" ".join(filter(None, (title, prose, _text([removal.get("cause")])))),
        public_from=row["public_from"],
        public_until=_last_public_day(row["public_until"]),
        decision_date=decided, credit_code=row["credit_code"] or "",
        document_number=row["document_number"] or "", department=row["department"] or "",
        department_name=department_names.get(row["department"] or "", row["authority"] or ""),
        district=row["district"] or "", year=int(decided[:4]) if decided[:4].isdigit() else None,
        category=entity_category(row["credit_code"], row["party_type"]) or "", entity_key=row["entity_key"] or "",
    )


def entity_doc(row: dict[str, Any]) -> SearchDoc:
    """The search document of a registered entity (a row of v_entities)."""
    data = orjson.loads(row["data"])
    prose = _text(data.get(k) for k in ("legal_representative", "entity_type", "address", "business_scope",
                                         "registration_authority", "status", "registration_number"))
    return SearchDoc(
        id=row["entity_key"], doc_type="entity", kind="entity", title=row["name"] or "", text=prose,
        public_from=ALWAYS, public_until=None, decision_date=row["established"] or "",
        credit_code=row["credit_code"] or "", district=row["district"] or "",
        category=row["category"] or "", entity_key=row["entity_key"],
    )


class SearchProjection:
    """Keeps a SearchIndex at a log position; runs after LedgerViews, whose rows it reads."""

    name = "search_index"

    def __init__(self, db: Database, index: SearchIndex):
        self.db = db
        self.index = index
        self.department_names = {d["code"]: d["name"] for d in schemas.catalog()["departments"]}

    def position(self) -> int:
        return self.index.position()

    def apply(self, events: Sequence[Event], position: int) -> None:
        """Index the state at `position` of everything these events touched, then commit it.

        Another process holding the index's write lock keeps the index in step itself:
        this process then leaves the batch to it.
        """
        try:
            self.index.delete(())  # takes the write lock: from here on no one else commits
        except IndexBusyError:
            log.info("search index busy in another process; leaving position %d to it", position)
            return
        try:
            done = self.index.position()
            todo = [e for e in events if e[0] > done]
            if position <= done:
                self.index.rollback()
                return
            records, entities = self._touched(todo)
            docs, gone = self.documents(position, records, entities)
            self.index.delete(gone)
            self.index.add(docs)
            self.index.commit(position)
        except BaseException:
            self.index.rollback()
            raise

    def reset(self) -> None:
        self.index.clear()
        self.index.commit(0)

    @staticmethod
    def _touched(events: Sequence[Event]) -> tuple[set[str], set[str]]:
        records, entities = set(), set()
        for _, event in events:
            if isinstance(event, Record.Event):  # any change of a record may change what is public
                records.add(str(event.originator_id))
            elif isinstance(event, Entity.Registered | Entity.Changed):
                entities.add(event.fields["credit_code"])
        return records, entities

    def documents(self, position: int, records: set[str], entities: set[str]) -> tuple[list[SearchDoc], list[str]]:
        """The documents to add and the ids to delete so the index reflects `position`."""
        docs: list[SearchDoc] = []
        gone: list[str] = []
        moment = Moment(position, ALWAYS)
        with self.db.snapshot():
            reached = reflected_position(self.db, Moment(None, ALWAYS))
            if reached < position:
                raise ReadModelsBehind(f"read models at {reached}, search index asked for {position}")
            indexable, params = public_in_window_clause(moment)
            for row in self._rows("v_records r", "r.record_id", sorted(records), moment,
                                  f", CASE WHEN {indexable} THEN 1 ELSE 0 END AS indexable", params):
                if row["indexable"] and row["public_from"]:  # NULL <= day is never true in public_clause
                    docs.append(record_doc(row, self.department_names))
                else:
                    gone.append(row["record_id"])
            for row in self._rows("v_entities e", "e.entity_key", sorted(entities), moment):
                if row["registered_in_city"]:
                    docs.append(entity_doc(row))
        return docs, gone

    def _rows(self, table: str, key: str, ids: list[str], moment: Moment, extra: str = "",
              extra_params: Sequence[Any] = ()) -> Iterable[dict[str, Any]]:
        """Rows of `table` ("name alias") current at the moment, by `key` ("alias.column"), plus `extra` columns."""
        versions, params = version_clause(moment, key.split(".")[0])
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            yield from self.db.query(f"SELECT *{extra} FROM {table} WHERE {key} IN ({marks}) AND {versions}",
                                     [*extra_params, *chunk, *params])
