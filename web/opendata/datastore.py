"""CKAN's datastore_search and datastore_info over our datasets.

Better than CKAN where its users suffer: every answer names the log position and the
rules day it reflects; `next_page` is a keyset cursor (`{"$after": token}`, to merge into
`filters`) that pins that version, so paging to the end is fast and consistent while new
records arrive; `_links` keep every parameter, so following them works for POST callers
too; totals are exact (and cached per version, which never changes).
"""
from __future__ import annotations

import base64
import csv
import io
import json
import threading
from collections import OrderedDict
from typing import Any
from urllib.parse import urlencode

from domain.moments import MomentError, parse_moment
from projections.moments import position_of
from projections.public import Moment
from publishing.catalog import DatasetNotFound
from publishing.definitions import Dataset
from publishing.rows import Query, QueryError
from publishing.versions import PositionError, Version
from web.opendata.envelope import Context, NotFound, ValidationError, as_bool, as_int, as_json, as_list

ROWS_DEFAULT, ROWS_MAX = 100, 32000
RECORDS_FORMATS = ("objects", "lists", "csv", "tsv")
_KNOWN = {"resource_id", "id", "q", "plain", "filters", "language", "limit", "offset", "fields", "sort", "distinct",
          "include_total", "total_estimation_threshold", "records_format", "include_next_page", "full_text", "as_of"}
AFTER = "$after"


class _Counts:
    """Exact totals per (version, query): a version's rows never change, so neither do its counts."""

    def __init__(self, size: int = 2048):
        self.size = size
        self.items: OrderedDict[str, int] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, compute) -> int:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = compute()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


COUNTS = _Counts()


def encode_cursor(version: Version, last: list[Any]) -> str:
    raw = json.dumps([version.position, version.day, last], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: Any) -> tuple[int, str, list[Any]]:
    try:
        text = base64.urlsafe_b64decode(str(token) + "=" * (-len(str(token)) % 4)).decode()
        position, day, last = json.loads(text)
        if not isinstance(position, int) or not isinstance(day, str) or not isinstance(last, list):
            raise ValueError
        return position, day, last
    except (ValueError, TypeError, UnicodeDecodeError):
        raise ValidationError({"filters": [f"invalid {AFTER} cursor"]}) from None


def resolve(ctx: Context, data: dict[str, Any]) -> tuple[str, Dataset]:
    rid = data.get("resource_id") or data.get("id")
    if not rid:
        raise ValidationError({"resource_id": ["Missing value"]})
    try:
        dataset, fmt = ctx.opendata.resource(str(rid))
    except DatasetNotFound:
        raise NotFound(f'Resource "{rid}" was not found.') from None
    if fmt not in ("csv", "json", "xlsx"):
        raise NotFound(f'Resource "{rid}" was not found.')
    return str(rid), dataset


def version_for(ctx: Context, dataset: Dataset, as_of: Any) -> Version:
    """The version at `as_of` (a position, or the position a date or time reaches), else today's."""
    try:
        moment = parse_moment("" if as_of is None else str(as_of), ctx.platform.clock())
        return ctx.opendata.version(dataset, None if moment is None else position_of(ctx.opendata.db, moment))
    except MomentError as e:
        raise ValidationError({"as_of": [f"{e.en} / {e.zh}"]}) from None
    except PositionError as e:
        raise ValidationError({"as_of": [str(e)]}) from None


def _sort(value: Any) -> list[tuple[str, bool]]:
    parts = value if isinstance(value, list) else str(value or "").split(",")
    out = []
    for part in parts:
        bits = str(part).strip().strip('"').split()
        if not bits:
            continue
        if len(bits) > 2 or (len(bits) == 2 and bits[1].lower() not in ("asc", "desc")):
            raise ValidationError({"sort": [f'field "{part}" not in table']})
        out.append((bits[0].strip('"'), len(bits) == 2 and bits[1].lower() == "desc"))
    return out


def _records(rows: list[list[Any]], ids: list[str], fmt: str) -> Any:
    if fmt == "objects":
        return [dict(zip(ids, row)) for row in rows]
    if fmt == "lists":
        return rows
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else repr(v) if isinstance(v, float) else v for v in row])
    return buffer.getvalue()


def _link(ctx: Context, params: dict[str, Any]) -> str:
    return f"{ctx.api_path}/datastore_search?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def datastore_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise ValidationError({k: [f"The input field {k} was not expected."] for k in unknown})
    rid, dataset = resolve(ctx, data)
    limit = as_int(data.get("limit"), "limit", ROWS_DEFAULT, minimum=0, maximum=ROWS_MAX)
    offset = as_int(data.get("offset"), "offset", 0, minimum=0)
    records_format = data.get("records_format") or "objects"
    if records_format not in RECORDS_FORMATS:
        raise ValidationError({"records_format": [f"Value must be one of {list(RECORDS_FORMATS)}"]})
    filters = as_json(data.get("filters"), "filters") or {}
    if not isinstance(filters, dict):
        raise ValidationError({"filters": ["Not a json object"]})
    q = as_json(data["q"], "q") if isinstance(data.get("q"), str) and data["q"].strip().startswith("{") else data.get("q")
    query = Query(filters={k: v for k, v in filters.items() if k != AFTER}, q=q or None,
                  fields=[str(f) for f in as_list(data.get("fields"), "fields")] or None, sort=_sort(data.get("sort")),
                  limit=limit, offset=offset, distinct=as_bool(data.get("distinct"), "distinct"))
    if AFTER in filters:
        position, day, query.after = decode_cursor(filters[AFTER])
        version = Version(dataset, position, day, None, pinned=True)
    else:
        version = version_for(ctx, dataset, data.get("as_of"))
    rows_reader = ctx.opendata.rows(dataset)
    moment = Moment(version.position, version.day)
    try:
        page = rows_reader.page(moment, query)
        total = None
        if as_bool(data.get("include_total"), "include_total", True):
            key = json.dumps([version.key, query.filters, query.q, query.distinct, query.fields if query.distinct else None],
                             ensure_ascii=False, sort_keys=True, default=str)
            total = COUNTS.get(key, lambda: rows_reader.count(moment, query))
    except QueryError as e:
        raise ValidationError({e.param: [e.message]}) from None
    ids = [c.id for c in page.columns]
    params = {"resource_id": rid, "q": json.dumps(q, ensure_ascii=False) if isinstance(q, dict) else q,
              "filters": json.dumps(query.filters, ensure_ascii=False) if query.filters else None,
              "fields": ",".join(query.fields) if query.fields else None,
              "sort": ", ".join(f"{c} {'desc' if d else 'asc'}" for c, d in query.sort) or None,
              "limit": limit if data.get("limit") not in (None, "") else None,
              "distinct": "true" if query.distinct else None, "records_format": data.get("records_format"),
              "as_of": version.position if version.pinned and AFTER not in filters else None}
    result: dict[str, Any] = {
        "resource_id": rid, "fields": [{"id": c.id, "type": c.datastore_type, "info": c.info()} for c in page.columns],
        "records": _records(page.rows, ids, records_format), "limit": limit, "offset": offset,
        "records_format": records_format, "include_total": total is not None, "total_was_estimated": False,
        "total_estimation_threshold": None, "log_position": version.position, "rules_date": version.day,
        "_links": {"start": _link(ctx, params), "next": _link(ctx, {**params, "offset": offset + limit})},
    }
    if total is not None:
        result["total"] = total
    for key in ("q", "filters", "sort", "distinct"):
        if data.get(key) not in (None, ""):
            result[key] = data[key]
    if page.last is not None and limit and len(page.rows) == limit and not query.distinct:
        cursor = {AFTER: encode_cursor(version, page.last)}
        result["next_page"] = cursor
        merged = {**query.filters, **cursor}
        result["_links"]["next_page"] = _link(ctx, {**params, "filters": json.dumps(merged, ensure_ascii=False),
                                                    "as_of": None})
    return result


def datastore_info(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    rid, dataset = resolve(ctx, data)
    version = version_for(ctx, dataset, data.get("as_of"))
    count = ctx.opendata.count(version)
    fields = [{"id": c.id, "type": c.datastore_type, "info": c.info(),
               "schema": {"native_type": c.datastore_type, "is_index": c.id in dataset.key, "notnull": c.id in dataset.key,
                          "uniquekey": dataset.key == (c.id,), "index_name": None}}
              for c in dataset.columns]
    return {"meta": {"id": rid, "count": count, "table_type": "BASE TABLE", "aliases": [], "db_size": None,
                     "idx_size": None, "size": None, "log_position": version.position, "rules_date": version.day},
            "fields": fields}
