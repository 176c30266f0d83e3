"""Where a dataset's rows come from: SQL over the versioned read models, built on projections/public.py.

A source gives, for one dataset at one Moment, the FROM clause, the WHERE conditions that
decide which rows the public may see, and for every column an SQL expression (for filters
and sorting) plus how to read its value from a fetched row. Field values that live only in
a record's public JSON (`data`) are parsed in Python, once per row: that is faster than
extracting each field in SQL, and identical on SQLite and PostgreSQL.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import schemas
from domain import complaints
from projections import annual_reports, cases, documents, inspection_results, lending, online, projects, trace
from projections.db import Database
from projections.public import Moment, on_list_clause, public_clause, version_clause
from publishing.definitions import Column, Dataset, vocabulary

_SAFE_FIELD = re.compile(r"^[a-z_][a-z0-9_]*$")
#: schema fields kept as their own columns in v_records (same value as in `data`)
_RECORD_COLUMNS = {"party_name": "party_name", "party_type": "party_type", "credit_code": "credit_code",
                   "authority_code": "authority_code", "authority": "authority", "document_number": "document_number",
                   "list_type": "list_type", "decision_date": "decision_date", "commitment_date": "decision_date"}
_ENTITY_COLUMNS = {"credit_code": "credit_code", "name": "name", "entity_type": "entity_type",
                   "district_code": "district", "legal_representative": "legal_representative", "status": "status",
                   "established": "established"}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def label_case(expr: str, labels: dict[str, str], *, other: str | None = None, none: str | None = None) -> str:
    """SQL mapping codes to names (districts, departments, kinds): a CASE over our own vocabulary."""
    whens = " ".join(f"WHEN {expr} = {_literal(k)} THEN {_literal(v)}" for k, v in sorted(labels.items()))
    tail = f" WHEN {expr} IS NULL OR {expr} = '' THEN {_literal(none)}" if none is not None else ""
    fallback = _literal(other) if other is not None else "NULL"
    return f"(CASE {whens}{tail} ELSE {fallback} END)"


def district_label(expr: str) -> str:
    vocab = vocabulary()
    return label_case(expr, vocab["districts"], other=vocab["district_other"], none=vocab["district_none"])


def department_names() -> dict[str, str]:
    return {d["code"]: d["name"] for d in schemas.catalog()["departments"]}


@dataclass(frozen=True)
class ColumnSql:
    """How one column is filtered and sorted (`expr`), and whether it is read from the SELECT list
    (`selected`) or from the row's public JSON."""

    column: Column
    expr: str
    selected: bool  # True: read from the SELECT list; False: from the row's public JSON


class Source:
    """The rows of one dataset at one moment, as SQL pieces."""

    alias = "r"

    def __init__(self, db: Database, dataset: Dataset):
        self.db = db
        self.dataset = dataset
        self.columns = {c.id: self._column_sql(c) for c in dataset.columns}

    # -- pieces -------------------------------------------------------------------------------------
    def from_clause(self, moment: Moment, ordered_by: str | None = None) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def conditions(self, moment: Moment) -> tuple[list[str], list[Any]]:
        raise NotImplementedError

    def real_column(self, field: str) -> str | None:
        return None

    def derived_expr(self, column: Column) -> str:
        raise ValueError(f"{self.dataset.name}: no derived column {column.id!r} for this source")

    @property
    def has_data(self) -> bool:
        return True

    def stream_order(self) -> str:
        """ORDER BY of a whole-table read: the log position of each row's version.

        A version's position is unique among the rows current at any moment, so the order is
        total; and rows are stored in log order, so reading in it is sequential (the index
        `INDEXES` adds makes it so on both engines), where key order would seek once per row.
        """
        return f"{self.alias}.valid_from"

    def json_expr(self, field: str, json_type: str) -> str:
        """A field of the row's public JSON, as SQL (only used to filter and sort)."""
        if not _SAFE_FIELD.match(field):
            raise ValueError(field)
        data = f"{self.alias}.data"
        if self.db.dialect == "sqlite":
            return f"json_extract({data}, '$.{field}')"
        if json_type in ("number", "integer"):
            return f"CAST(({data}::jsonb ->> '{field}') AS NUMERIC)"
        if json_type == "array":
            return f"(({data}::jsonb -> '{field}')::text)"
        return f"({data}::jsonb ->> '{field}')"

    def contains_expr(self, column: Column) -> str:
        """SQL that is true when an array column contains the parameter."""
        data = f"{self.alias}.data"
        if self.db.dialect == "sqlite":
            return f"EXISTS (SELECT 1 FROM json_each({data}, '$.{column.field}') WHERE json_each.value = ?)"
        return f"jsonb_exists({data}::jsonb -> '{column.field}', ?)"

    def _column_sql(self, column: Column) -> ColumnSql:
        """Filter on a table column where there is one; read schema fields from the JSON, which holds them all
        (fetching fewer columns per row is what makes a million-row download fast)."""
        real = self.real_column(column.field)
        if column.schema == "derived" or not (real or self.has_data):  # names computed from codes
            return ColumnSql(column, f"{self.alias}.{real}" if real else self.derived_expr(column), True)
        expr = f"{self.alias}.{real}" if real else self.json_expr(column.field, column.json_type)
        return ColumnSql(column, expr, not self.has_data)

    # -- assembled ------------------------------------------------------------------------------------
    def where(self, moment: Moment, ordered_by: str | None = None) -> tuple[str, list[Any]]:
        """FROM ... WHERE ... of the rows the public may see at this moment (no trailing clauses)."""
        source, params = self.from_clause(moment, ordered_by)
        conditions, more = self.conditions(moment)
        return f"FROM {source} WHERE {' AND '.join(conditions) or '1=1'}", [*params, *more]

    def select_list(self, column_ids: Sequence[str]) -> tuple[list[str], Callable[[tuple], list[Any]]]:
        """SELECT expressions and a function turning a fetched row into the columns' values.

        The function is generated as one list expression: it runs once per row of a
        million-row download, where a Python call per cell would double the time.
        """
        exprs: list[str] = []
        parts: list[str] = []
        uses_data = any(not self.columns[c].selected for c in column_ids)
        for cid in column_ids:
            col = self.columns[cid]
            if col.selected:
                value = f"row[{len(exprs)}]"
                exprs.append(col.expr)
            else:
                value = f"data.get({col.column.field!r})"
            wrap = _WRAPPERS.get(col.column.json_type)
            parts.append(f"{wrap}({value})" if wrap else value)
        load = f"data = loads(row[{len(exprs)}]); " if uses_data else ""
        if uses_data:
            exprs.append(f"{self.alias}.data")
        code = f"def build(row):\n    {load}return [{', '.join(parts)}]"
        namespace: dict[str, Any] = {"loads": json.loads, "_array": _array, "_number": _number, "_integer": _integer}
        exec(compile(code, f"<row builder {self.dataset.name}>", "exec"), namespace)  # noqa: S102 - our own column list
        return exprs, namespace["build"]


def _array(value: Any) -> Any:
    return ";".join(map(str, value)) if isinstance(value, list) else value


def _number(value: Any) -> Any:
    if value is None or isinstance(value, int):
        return value
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _integer(value: Any) -> Any:
    return None if value is None else int(value)


#: values of string and date columns are already text (or None), in the tables and in the JSON
_WRAPPERS = {"array": "_array", "number": "_number", "integer": "_integer"}


def converter(json_type: str) -> Callable[[Any], Any]:
    """The same conversion as the row builder's, for one value."""
    return {"array": _array, "number": _number, "integer": _integer}.get(json_type, lambda v: v)


class RecordSource(Source):
    """Decisions and listings (v_records) that are public at the moment."""

    def from_clause(self, moment: Moment, ordered_by: str | None = None) -> tuple[str, list[Any]]:
        # A page in key order should walk the key index and stop after `limit` matches; without
        # statistics SQLite would rather take the (kind, position) index and sort every match.
        if ordered_by == "record_id" and self.db.dialect == "sqlite":
            return "v_records r INDEXED BY opendata_records_kind_key", []
        return "v_records r", []

    def conditions(self, moment: Moment) -> tuple[list[str], list[Any]]:
        clause, params = public_clause(moment, "r")
        scope, more = self.scope()
        conditions, params = [clause, *scope], [*params, *more]
        if self.dataset.on_list:
            on_list, more = on_list_clause(moment, "r")
            conditions.append(on_list)
            params += more
        return conditions, params

    def scope(self) -> tuple[list[str], list[Any]]:
        """The records this dataset is about, at any time: its kinds and its fixed filters."""
        conditions = [f"r.kind IN ({','.join('?' * len(self.dataset.kinds))})"]
        params: list[Any] = list(self.dataset.kinds)
        for field, values in self.dataset.where:
            real = self.real_column(field)
            expr = f"r.{real}" if real else self.json_expr(field, "string")
            conditions.append(f"{expr} IN ({','.join('?' * len(values))})")
            params += values
        return conditions, params

    def real_column(self, field: str) -> str | None:
        if field in ("record_id", "public_until", "list_until"):
            return field
        return _RECORD_COLUMNS.get(field)


class EntitySource(Source):
    """Market entities registered in the city, their version current at the moment."""

    alias = "e"

    def from_clause(self, moment: Moment, ordered_by: str | None = None) -> tuple[str, list[Any]]:
        return "v_entities e", []

    def conditions(self, moment: Moment) -> tuple[list[str], list[Any]]:
        clause, params = version_clause(moment, "e")
        return [clause, "e.registered_in_city = 1"], params

    def real_column(self, field: str) -> str | None:
        return _ENTITY_COLUMNS.get(field)

    def derived_expr(self, column: Column) -> str:
        if column.field == "district_name":
            return district_label("e.district")
        return super().derived_expr(column)


class CountsSource(Source):
    """Counts grouped in the FROM clause (a subquery over a versioned read model): every row is public, every
    column computed, and the download is in key order."""

    def conditions(self, moment: Moment) -> tuple[list[str], list[Any]]:
        return [], []

    @property
    def has_data(self) -> bool:
        return False

    def stream_order(self) -> str:
        return ", ".join(self.columns[k].expr for k in self.dataset.key)


class StatisticsSource(CountsSource):
    """Counts by month, district, department and kind of the decisions recorded and published."""

    alias = "s"

    def from_clause(self, moment: Moment, ordered_by: str | None = None) -> tuple[str, list[Any]]:
        # Counting discloses no record, so decisions past their publicity period still count;
        # withdrawn decisions and those never to be published do not.
        versions, params = version_clause(moment, "r")
        kinds = ",".join("?" * len(self.dataset.kinds))
        inner = ("(SELECT substr(r.decision_date, 1, 7) AS month, COALESCE(r.district, '') AS district_code, "
                 "r.department AS department_code, r.kind AS kind, MIN(r.authority) AS authority_name, "
                 f"COUNT(*) AS n FROM v_records r WHERE {versions} AND r.status = 'active' AND r.published = 1 "
                 f"AND r.kind IN ({kinds}) AND r.decision_date IS NOT NULL GROUP BY 1, 2, 3, 4) s")
        return inner, [*params, *self.dataset.kinds]

    def real_column(self, field: str) -> str | None:
        return {"month": "month", "district_code": "district_code", "department_code": "department_code",
                "kind": "kind", "count": "n"}.get(field)

    def derived_expr(self, column: Column) -> str:
        if column.field == "district_name":
            return district_label("s.district_code")
        if column.field == "department_name":
            return f"COALESCE({label_case('s.department_code', department_names())}, s.authority_name)"
        if column.field == "kind_title":
            return label_case("s.kind", vocabulary()["kinds"])
        return super().derived_expr(column)


#: Indexes for reading a dataset in log order (created by OpenData; they belong with projections' SCHEMA).
INDEXES = (
    "CREATE INDEX IF NOT EXISTS opendata_records_kind_position ON v_records (kind, valid_from)",
    "CREATE INDEX IF NOT EXISTS opendata_records_kind_key ON v_records (kind, record_id)",
    "CREATE INDEX IF NOT EXISTS opendata_entities_position ON v_entities (valid_from)",
)


class VersionedRowsSource(Source):
    """Rows of a read model versioned by log position, the version current at the moment."""

    table = ""
    dataset_columns: tuple[str, ...] = ()  # the table's columns that are the dataset's; the others are in `data`

    def from_clause(self, moment: Moment, ordered_by: str | None = None) -> tuple[str, list[Any]]:
        return f"{self.table} {self.alias}", []

    def conditions(self, moment: Moment) -> tuple[list[str], list[Any]]:
        clause, params = version_clause(moment, self.alias)
        return [clause], params

    def real_column(self, field: str) -> str | None:
        return field if field in self.dataset_columns else None


class AnnualReportSource(VersionedRowsSource):
    """Annual reports' public parts (projections/annual_reports.py)."""

    alias, table, dataset_columns = "a", "v_annual_reports", annual_reports.DATASET_COLUMNS


class InspectionResultSource(VersionedRowsSource):
    """Spot-check results with their draw's seed and day (projections/inspection_results.py): every column a column."""

    alias, table, dataset_columns = "i", "v_inspection_results", inspection_results.DATASET_COLUMNS

    @property
    def has_data(self) -> bool:
        return False


class ProductQualitySource(VersionedRowsSource):
    """Failed tests and recall / halt orders of traced batches (projections/trace.py), inside their publicity period."""

    alias, table, dataset_columns = "q", "v_trace_quality", trace.DATASET_COLUMNS

    def conditions(self, moment: Moment) -> tuple[list[str], list[Any]]:
        clauses, params = super().conditions(moment)
        return [*clauses, "q.public_until > ?"], [*params, moment.today]

    @property
    def has_data(self) -> bool:
        return False


class OnlinePresenceSource(VersionedRowsSource):
    """Online shops and websites with their status and mark (projections/online.py): every column a column."""

    alias, table, dataset_columns = "o", "v_online_presences", online.DATASET_COLUMNS

    @property
    def has_data(self) -> bool:
        return False


class ProjectSource(VersionedRowsSource):
    """Decided investment projects (projections/projects.py): every column a column, no opinion, no credit check."""

    alias, table, dataset_columns = "p", "v_projects", projects.DATASET_COLUMNS

    def conditions(self, moment: Moment) -> tuple[list[str], list[Any]]:
        clauses, params = super().conditions(moment)
        return [*clauses, "p.status IN ('approved', 'approved_with_conditions', 'refused', 'not_accepted')"], params

    @property
    def has_data(self) -> bool:
        return False


class ContractSource(Source):
    """Every version of every model contract published by the moment (projections/documents.py), with whether it is
    the current one then: a revision is history, not a removal."""

    alias = "c"

    def from_clause(self, moment: Moment, ordered_by: str | None = None) -> tuple[str, list[Any]]:
        if moment.position is None:
            current, params = "CASE WHEN d.valid_to IS NULL THEN 1 ELSE 0 END", []
        else:
            current, params = "CASE WHEN d.valid_to IS NULL OR d.valid_to > ? THEN 1 ELSE 0 END", [moment.position]
        return (f"(SELECT d.*, {current} AS current FROM v_documents d WHERE d.kind = 'contract') c"), params

    def conditions(self, moment: Moment) -> tuple[list[str], list[Any]]:
        return ([], []) if moment.position is None else (["c.valid_from <= ?"], [moment.position])

    @property
    def has_data(self) -> bool:
        return False

    def real_column(self, field: str) -> str | None:
        return field if field in (*documents.DATASET_COLUMNS, "current") else None


class FinancingSource(CountsSource):
    """信易贷 counts by application month and product (projections/lending.py's versioned applications): counting
    discloses no firm, and the rows current at a position give the same counts forever."""

    alias = "f"

    def from_clause(self, moment: Moment, ordered_by: str | None = None) -> tuple[str, list[Any]]:
        versions, params = version_clause(moment, "a")
        inner = ("(SELECT a.month AS month, a.lender_code AS lender_code, MIN(a.lender_name) AS lender_name, "
                 "a.product_id AS product_id, MIN(a.product_name) AS product_name, COUNT(*) AS applications, "
                 "SUM(CASE WHEN a.status = 'granted' THEN 1 ELSE 0 END) AS granted, "
                 "SUM(CASE WHEN a.status = 'declined' THEN 1 ELSE 0 END) AS declined, "
                 "SUM(CASE WHEN a.status = 'submitted' THEN 1 ELSE 0 END) AS pending, "
                 "COALESCE(SUM(a.granted_amount), 0) AS granted_amount "
                 f"FROM v_loan_applications a WHERE {versions} GROUP BY a.month, a.lender_code, a.product_id) f")
        return inner, params

    def real_column(self, field: str) -> str | None:
        return field if field in lending.FINANCING_COLUMNS else None


class ComplaintStatisticsSource(CountsSource):
    """Complaints and reports by month filed, kind, category and current department (projections/cases.py's
    versioned facts): counting identifies no case, and the versions current at a position give the same counts."""

    alias = "k"

    def from_clause(self, moment: Moment, ordered_by: str | None = None) -> tuple[str, list[Any]]:
        versions, params = version_clause(moment, "v")
        inner = ("(SELECT v.month AS month, v.complaint_kind AS complaint_kind, v.category AS category, "
                 "v.department AS department_code, COUNT(*) AS filed, SUM(1 - v.concluded) AS open, "
                 "SUM(v.concluded) AS concluded, SUM(v.on_time) AS concluded_on_time, SUM(v.upheld) AS upheld "
                 f"FROM v_complaint_versions v WHERE {versions} GROUP BY v.month, v.complaint_kind, v.category, "
                 "v.department) k")
        return inner, params

    def real_column(self, field: str) -> str | None:
        return field if field in cases.STATISTICS_COLUMNS else None

    def derived_expr(self, column: Column) -> str:
        rules = complaints.rules()
        if column.field == "complaint_kind_name":
            return label_case("k.complaint_kind", {k: v["zh"] for k, v in rules["kinds"].items()})
        if column.field == "category_name":
            return label_case("k.category", {c["id"]: c["zh"] for c in rules["categories"]})
        if column.field == "department_name":
            return label_case("k.department_code", department_names())
        return super().derived_expr(column)


SOURCES: dict[str, type[Source]] = {"records": RecordSource, "entities": EntitySource, "statistics": StatisticsSource,
                                    "annual_reports": AnnualReportSource, "inspection_results": InspectionResultSource,
                                    "product_quality": ProductQualitySource, "financing": FinancingSource,
                                    "complaints": ComplaintStatisticsSource, "online_presences": OnlinePresenceSource,
                                    "contracts": ContractSource, "projects": ProjectSource}


def source_for(db: Database, dataset: Dataset) -> Source:
    return SOURCES[dataset.source](db, dataset)
