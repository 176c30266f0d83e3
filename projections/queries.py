"""Public read queries: home statistics, one record, an entity's profile, the three lists.

Every query decides visibility through projections/public.py (versions, publicity window,
on-list status), reads in one snapshot, and answers with the log position it reflects.
Paging is by page number over a stable order (decision date, then id).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from domain.records import LISTING_KINDS
from projections.db import Database
from projections.public import Moment, on_list_clause, public_clause, reflected_position, version_clause

MAX_PAGE_SIZE = 100
MAX_PAGE = 1000
#: /lists/{name} -> the record kind the list is made of
LISTS = {"red": "red_list", "dishonesty": "dishonesty_listing", "anomaly": "anomaly_listing"}
LIST_STATUSES = ("current", "removed", "all")
#: the tabs of an entity's profile -> the record kind each shows
TABS = {
    "licenses": "license", "penalties": "penalty", "commitments": "commitment",
    "anomaly": "anomaly_listing", "dishonesty": "dishonesty_listing", "abnormal": "abnormal_mark", "red": "red_list",
    "society": "society_info",  # society-sourced, confirmed by a department: shown apart from government records
}
ORDER = "r.decision_date DESC, r.record_id"


class NotPublic(LookupError):
    """Nothing public exists under this key at this moment."""


class Withdrawn(LookupError):
    """The record was withdrawn: it has left every public view."""


class PageOutOfRange(ValueError):
    """A page past the last one."""

    def __init__(self, page: int, pages: int):
        super().__init__(f"page {page} of {pages}")
        self.page, self.pages = page, pages


@dataclass(frozen=True)
class Paging:
    page: int = 1
    size: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def page_of(items: list[Any], total: int, paging: Paging) -> dict[str, Any]:
    """A page with its totals; a page past the last is an error, page 1 of nothing is not."""
    pages = max(1, math.ceil(total / paging.size))
    if paging.page > pages:
        raise PageOutOfRange(paging.page, pages)
    return {"total": total, "page": paging.page, "page_size": paging.size, "pages": pages, "items": items}


def _record_select(moment: Moment) -> tuple[str, list[Any]]:
    """Record columns plus `on_list`, the list status of listings on the moment's day."""
    on_list, params = on_list_clause(moment)
    return f"r.*, CASE WHEN {on_list} THEN 1 ELSE 0 END AS on_list", params


def record_view(row: dict[str, Any]) -> dict[str, Any]:
    """The public shape of one record version (only public fields ever reach the row)."""
    out = {key: row[key] for key in (
        "kind", "version", "party_name", "party_type", "credit_code", "entity_key", "document_number",
        "authority", "authority_code", "department", "decision_date", "district", "list_type",
        "public_from", "public_until")}
    out = {"id": row["record_id"], **out, "objection": bool(row.get("objection")), "fields": json.loads(row["data"])}
    if row.get("publicity"):
        out["publicity"] = json.loads(row["publicity"])
    if row["kind"] in LISTING_KINDS:
        out["listing"] = {"on_list": bool(row["on_list"]), "removed_date": row["removed_date"],
                          "list_until": row["list_until"]}
    return out


def entity_view(row: dict[str, Any]) -> dict[str, Any]:
    out = {key: row[key] for key in (
        "entity_key", "credit_code", "name", "category", "entity_type", "district", "legal_representative",
        "status", "established")}
    return {**out, "registered_in_city": bool(row["registered_in_city"]), "fields": json.loads(row["data"])}


# -- home ----------------------------------------------------------------------------------------
def home(db: Database, moment: Moment, latest: int = 10) -> dict[str, Any]:
    """Counts of public records by kind and district, registered entities, the latest disclosures."""
    with db.snapshot():
        position = reflected_position(db, moment)
        public, params = public_clause(moment)
        by_kind = db.execute(f"SELECT r.kind, COUNT(*) FROM v_records r WHERE {public} GROUP BY r.kind", params)
        by_district = db.execute(
            f"SELECT r.district, COUNT(*) FROM v_records r WHERE {public} GROUP BY r.district", params)
        versions, vparams = version_clause(moment, "e")
        entities = db.execute(
            f"SELECT COUNT(*) FROM v_entities e WHERE {versions} AND e.registered_in_city = 1", vparams)[0][0]
        select, sparams = _record_select(moment)
        rows = db.query(f"SELECT {select} FROM v_records r WHERE {public} ORDER BY {ORDER} LIMIT ?",
                        [*sparams, *params, latest])
    return {
        "position": position,
        "today": moment.today,
        "by_kind": dict(sorted(by_kind)),
        "by_district": dict(sorted(((d or ""), n) for d, n in by_district)),
        "entities": entities,
        "latest": [record_view(r) for r in rows],
    }


# -- one record ----------------------------------------------------------------------------------
def record(db: Database, moment: Moment, record_id: str) -> dict[str, Any]:
    """A public record's current version and its version history (corrections with reasons)."""
    public, params = public_clause(moment)
    select, sparams = _record_select(moment)
    upto, uparams = ("", []) if moment.position is None else (" AND r.valid_from <= ?", [moment.position])
    with db.snapshot():
        position = reflected_position(db, moment)
        rows = db.query(
            f"SELECT {select}, CASE WHEN {public} THEN 1 ELSE 0 END AS is_public FROM v_records r "
            f"WHERE r.record_id = ?{upto} ORDER BY r.valid_from", [*sparams, *params, record_id, *uparams])
    if not rows:
        raise NotPublic(record_id)
    if rows[-1]["status"] == "withdrawn":
        raise Withdrawn(record_id)
    if not rows[-1]["is_public"]:
        raise NotPublic(record_id)
    return {"position": position, "today": moment.today, "record": record_view(rows[-1]),
            "versions": _versions(rows)}


def _versions(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each version changed and why; earlier values are not repeated (the current one rules)."""
    out, previous = [], {}
    for row in rows:
        data = json.loads(row["data"])
        changed = sorted(k for k in set(data) | set(previous) if data.get(k) != previous.get(k)) if previous else []
        out.append({"version": row["version"], "event": row["event"], "reason": row["reason"],
                    "position": row["valid_from"], "recorded_at": row["recorded_at"], "changed": changed})
        previous = data
    return out


# -- an entity's profile ---------------------------------------------------------------------------
def entity(db: Database, moment: Moment, key: str, tab: str | None = None, paging: Paging = Paging()) -> dict[str, Any]:
    """Registration data and one section per tab (public records of each kind, newest first).

    Every section shows its first page, except `tab`, which shows `paging`. An entity known
    only from records of other places is shown while one of its records is public.
    """
    versions, vparams = version_clause(moment, "e")
    public, params = public_clause(moment)
    select, sparams = _record_select(moment)
    chosen = TABS.get(tab or "", "")
    # Without statistics SQLite prefers the (valid_to, kind) index for the GROUP BY: 100x slower here.
    by_entity = " INDEXED BY v_records_entity" if db.dialect == "sqlite" else ""
    with db.snapshot():
        position = reflected_position(db, moment)
        found = db.query(f"SELECT * FROM v_entities e WHERE e.entity_key = ? AND {versions}", [key, *vparams])
        counts = dict(db.execute(
            f"SELECT r.kind, COUNT(*) FROM v_records r{by_entity} WHERE r.entity_key = ? AND {public} GROUP BY r.kind",
            [key, *params]))
        if not found or not (found[0]["registered_in_city"] or counts):
            raise NotPublic(key)
        rows = db.query(
            f"SELECT * FROM (SELECT {select}, ROW_NUMBER() OVER (PARTITION BY r.kind ORDER BY {ORDER}) AS rn "
            f"FROM v_records r{by_entity} WHERE r.entity_key = ? AND {public}) t "
            "WHERE (t.kind = ? AND t.rn > ? AND t.rn <= ?) OR (t.kind <> ? AND t.rn <= ?) ORDER BY t.rn",
            [*sparams, key, *params, chosen, paging.offset, paging.offset + paging.size, chosen, paging.size])
    sections = []
    for name, kind in TABS.items():
        items = [record_view(r) for r in rows if r["kind"] == kind]
        section_paging = paging if kind == chosen else Paging(1, paging.size)
        sections.append({"tab": name, "kind": kind, **page_of(items, counts.get(kind, 0), section_paging)})
    return {"position": position, "today": moment.today, "entity": entity_view(found[0]), "sections": sections}


# -- lists ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ListFilters:
    status: str = "current"
    list_type: str | None = None
    district: str | None = None
    year: int | None = None
    q: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_page(db: Database, moment: Moment, name: str, filters: ListFilters = ListFilters(),
              paging: Paging = Paging()) -> dict[str, Any]:
    """One list (red, dishonesty, anomaly) with filters; status 'all' includes removals (history)."""
    public, params = public_clause(moment)
    where, args = [public, "r.kind = ?"], [*params, LISTS[name]]
    if filters.status != "all" and name != "red":
        on_list, oparams = on_list_clause(moment)
        where.append(on_list if filters.status == "current" else f"NOT {on_list}")
        args += oparams
    if filters.list_type:
        where.append("r.list_type = ?")
        args.append(filters.list_type)
    if filters.district:
        where.append("r.district = ?")
        args.append(filters.district)
    if filters.year:
        where.append("r.decision_date >= ? AND r.decision_date < ?")
        args += [f"{filters.year:04d}-01-01", f"{filters.year + 1:04d}-01-01"]
    if filters.q:
        where.append("(r.party_name LIKE ? ESCAPE '\\' OR r.credit_code LIKE ? ESCAPE '\\')")
        args += [f"%{_like(filters.q)}%", f"{_like(filters.q.upper())}%"]
    clause = " AND ".join(where)
    select, sparams = _record_select(moment)
    with db.snapshot():
        position = reflected_position(db, moment)
        total = db.execute(f"SELECT COUNT(*) FROM v_records r WHERE {clause}", args)[0][0]
        rows = db.query(f"SELECT {select} FROM v_records r WHERE {clause} ORDER BY {ORDER} LIMIT ? OFFSET ?",
                        [*sparams, *args, paging.size, paging.offset])
    return {"position": position, "today": moment.today, "list": name, "filters": filters.as_dict(),
            **page_of([record_view(r) for r in rows], total, paging)}
