"""Reading a dataset's rows: the whole table streamed in key order, or one filtered, sorted page.

Pages support CKAN's datastore_search vocabulary (filters, q, fields, sort, limit, offset,
distinct) and keyset paging: a page ends with the values of its last row, and the next page
starts after them, with the same position and day, so paging through a large table is fast
and sees one consistent version even while new records arrive.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from projections.db import Database
from projections.public import Moment
from publishing.definitions import Column, Dataset
from publishing.sources import Source, converter, source_for


class QueryError(ValueError):
    """A request names a column the dataset does not have, or a value of the wrong type."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass
class Query:
    """One page request, already parsed from the API's parameters."""

    filters: dict[str, Any] = field(default_factory=dict)
    q: str | dict[str, str] | None = None
    fields: list[str] | None = None
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (column id, descending)
    limit: int = 100
    offset: int = 0
    distinct: bool = False
    after: list[Any] | None = None  # keyset: values of the previous page's last row (sort + key)


@dataclass
class Page:
    columns: list[Column]
    rows: list[list[Any]]
    last: list[Any] | None  # the keyset values of the last row, or None when the page is empty


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Rows:
    """All row reading for one dataset over one database."""

    def __init__(self, db: Database, dataset: Dataset):
        self.db = db
        self.dataset = dataset
        self.source: Source = source_for(db, dataset)

    # -- validation ---------------------------------------------------------------------------------
    def _column(self, cid: str, param: str) -> Column:
        col = self.dataset.column(cid)
        if col is None:
            raise QueryError(param, f'field "{cid}" not in table')
        return col

    def _value(self, col: Column, value: Any, param: str) -> Any:
        if isinstance(value, (dict, list)):
            raise QueryError(param, f'invalid value for "{col.id}"')
        if value is None:
            return None
        if col.json_type in ("number", "integer"):
            try:
                return float(value) if col.json_type == "number" else int(value)
            except (TypeError, ValueError):
                raise QueryError(param, f'invalid value "{value}" for numeric field "{col.id}"') from None
        return str(value)

    # -- WHERE --------------------------------------------------------------------------------------
    def _filters(self, filters: dict[str, Any]) -> tuple[list[str], list[Any]]:
        conditions, params = [], []
        for cid, raw in sorted(filters.items()):
            col = self._column(cid, "filters")
            values = raw if isinstance(raw, list) else [raw]
            values = [self._value(col, v, "filters") for v in values]
            if not values:
                conditions.append("1=0")
                continue
            if col.json_type == "array":
                contains = self.source.contains_expr(col)
                conditions.append("(" + " OR ".join([contains] * len(values)) + ")")
                params += values
                continue
            expr = self.source.columns[cid].expr
            present = [v for v in values if v is not None]
            parts = [f"{expr} IS NULL"] if None in values else []
            if present:
                parts.append(f"{expr} IN ({','.join('?' * len(present))})")
                params += present
            conditions.append("(" + " OR ".join(parts) + ")")
        return conditions, params

    def _text_search(self, q: str | dict[str, str] | None) -> tuple[list[str], list[Any]]:
        """Substring search (Chinese needs no tokenizer for it): every word must match some column."""
        if not q:
            return [], []
        if isinstance(q, dict):
            conditions, params = [], []
            for cid, text in sorted(q.items()):
                self._column(cid, "q")
                conditions.append(f"LOWER(CAST({self.source.columns[cid].expr} AS TEXT)) LIKE ? ESCAPE '\\'")
                params.append(_like(str(text)))
            return conditions, params
        exprs = [self.source.columns[c.id].expr for c in self.dataset.columns]
        conditions, params = [], []
        for word in str(q).split():
            any_column = " OR ".join(f"LOWER(CAST({e} AS TEXT)) LIKE ? ESCAPE '\\'" for e in exprs)
            if self.source.has_data:  # cheap prefilter on the whole JSON before extracting fields
                conditions.append(f"LOWER({self.source.alias}.data) LIKE ? ESCAPE '\\'")
                params.append(_like(word))
            conditions.append(f"({any_column})")
            params += [_like(word)] * len(exprs)
        return conditions, params

    def _order(self, sort: Sequence[tuple[str, bool]], distinct_fields: list[str] | None) -> list[tuple[str, bool]]:
        order = [(self._column(cid, "sort").id, desc) for cid, desc in sort]
        if distinct_fields is None:
            order += [(k, False) for k in self.dataset.key if k not in {c for c, _ in order}]
        return order

    def _keyset(self, order: list[tuple[str, bool]], after: list[Any]) -> tuple[str, list[Any]]:
        """Rows strictly after `after` in `order` (ASC NULLS FIRST / DESC NULLS LAST)."""
        if len(after) != len(order):
            raise QueryError("filters", "the $after cursor does not match this sort")
        disjuncts, params = [], []
        for i, (cid, desc) in enumerate(order):
            parts, part_params = [], []
            for j, (prev_cid, _) in enumerate(order[:i]):
                expr, value = self.source.columns[prev_cid].expr, after[j]
                parts.append(f"{expr} IS NULL" if value is None else f"{expr} = ?")
                part_params += [] if value is None else [value]
            expr, value = self.source.columns[cid].expr, after[i]
            if desc:
                if value is None:
                    continue
                parts.append(f"({expr} < ? OR {expr} IS NULL)")
            else:
                parts.append(f"{expr} IS NOT NULL" if value is None else f"{expr} > ?")
            part_params += [] if value is None else [value]
            disjuncts.append("(" + " AND ".join(parts) + ")")
            params += part_params
        return "(" + (" OR ".join(disjuncts) or "1=0") + ")", params

    def _statement(self, moment: Moment, query: Query, ordered_by: str | None = None) -> tuple[str, list[Any], str, list[Any]]:
        base, params = self.source.where(moment, ordered_by)
        filters, fparams = self._filters(query.filters)
        search, sparams = self._text_search(query.q)
        extra = [*filters, *search]
        return base, params, (" AND " + " AND ".join(extra)) if extra else "", [*fparams, *sparams]

    # -- reading ------------------------------------------------------------------------------------
    def stream(self, moment: Moment, column_ids: Sequence[str] | None = None) -> Iterator[list[Any]]:
        """Every row, with flat memory, in the order the source streams fastest (always the same)."""
        ids = list(column_ids or self.dataset.column_ids)
        exprs, build = self.source.select_list(ids)
        base, params = self.source.where(moment)
        statement = f"SELECT {', '.join(exprs)} {base} ORDER BY {self.source.stream_order()}"
        for row in self.db.stream(statement, params):
            yield build(row)

    def page(self, moment: Moment, query: Query) -> Page:
        """One page of rows matching the query."""
        ids = query.fields or self.dataset.column_ids
        columns = [self._column(c, "fields") for c in ids]
        order = self._order(query.sort, ids if query.distinct else None)
        base, params, extra, eparams = self._statement(moment, query, order[0][0] if order else None)
        keyset, kparams = ("", [])
        if query.after is not None:
            clause, kparams = self._keyset(order, query.after)
            keyset = " AND " + clause
        order_sql = ", ".join(
            f"{self.source.columns[c].expr} {'DESC NULLS LAST' if d else 'ASC NULLS FIRST'}" for c, d in order)
        exprs, build = self.source.select_list(ids)
        order_exprs, order_build = self.source.select_list([c for c, _ in order])
        if query.distinct:
            select = f"SELECT DISTINCT {', '.join(self.source.columns[c].expr for c in ids)}"
            build = _plain_builder(self.source, ids)
            order_build, order_exprs = None, []
        else:
            select = f"SELECT {', '.join(exprs + order_exprs)}"
        statement = (f"{select} {base}{extra}{keyset}"
                     f"{' ORDER BY ' + order_sql if order_sql else ''} LIMIT ? OFFSET ?")
        fetched = self.db.execute(statement, [*params, *eparams, *kparams, query.limit, query.offset])
        rows, last = [], None
        for row in fetched:
            rows.append(build(row[:len(exprs)] if not query.distinct else row))
        if fetched and order_build is not None:
            last = order_build(fetched[-1][len(exprs):])
        return Page(columns, rows, last)

    def count(self, moment: Moment, query: Query | None = None) -> int:
        """How many rows match (all of them without a query)."""
        query = query or Query()
        base, params, extra, eparams = self._statement(moment, query)
        if query.distinct:
            ids = query.fields or self.dataset.column_ids
            cols = ", ".join(self.source.columns[c].expr for c in ids)
            statement = f"SELECT COUNT(*) FROM (SELECT DISTINCT {cols} {base}{extra}) d"
        else:
            statement = f"SELECT COUNT(*) {base}{extra}"
        return int(self.db.execute(statement, [*params, *eparams])[0][0])


def _plain_builder(source: Source, ids: list[str]):
    converters = [converter(source.columns[c].column.json_type) for c in ids]
    return lambda row: [conv(v) for conv, v in zip(converters, row)]
