"""Dataset definitions, loaded from data: one JSON file per dataset in publishing/datasets/.

A definition names the rows it takes from the read models and its columns; every column
is a field of a JSON Schema (a record kind in schemas/kinds/, or a derived field in
publishing/fields.json), which gives it its title, description and type. Nothing about a
dataset is hand-coded: adding a dataset is adding a file.
"""
from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import schemas

#: Namespace of the stable CKAN ids (datasets, resources, organizations, groups, tags).
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://gongshi.benxi.example/opendata")
NAME_PATTERN = re.compile(r"^[a-z0-9_-]{2,100}$")
DERIVED = "derived"
#: JSON Schema type -> (CKAN datastore type, Frictionless type)
_TYPES = {"string": ("text", "string"), "number": ("numeric", "number"), "integer": ("int", "integer"),
          "array": ("text", "string"), "date": ("date", "date")}
ROW_SOURCES = ("records", "entities", "statistics", "annual_reports", "inspection_results", "product_quality",
               "financing", "complaints", "online_presences", "contracts", "projects")
ANNUAL_REPORT = "annual_report"  # the schema of the annual-report dataset's columns (annual_report_fields.json)
INSPECTION_RESULT = "inspection_result"  # the spot-check dataset's columns (inspection_result_fields.json)
PRODUCT_QUALITY = "product_quality"  # failed tests and recalls of traced batches (product_quality_fields.json)
FINANCING = "financing"  # 信易贷 applications and grants by month and product (financing_fields.json)
PROJECT = "project"  # decided investment projects (project_fields.json)
DOCUMENT = "document"  # every version of the model contracts (document_fields.json)
ONLINE = "online"  # online shops and websites with their marks (online_fields.json)
COMPLAINT = "complaint"  # complaints and reports filed and concluded by month, category, department (complaint_fields.json)
#: Schemas of datasets whose rows are not records: their fields' file here.
ROW_SCHEMAS = {ANNUAL_REPORT: "annual_report_fields.json", INSPECTION_RESULT: "inspection_result_fields.json",
               PRODUCT_QUALITY: "product_quality_fields.json", FINANCING: "financing_fields.json",
               COMPLAINT: "complaint_fields.json", ONLINE: "online_fields.json",
               DOCUMENT: "document_fields.json", PROJECT: "project_fields.json"}


def stable_id(*parts: str) -> str:
    """A CKAN id that never changes for the same thing (uuid5 under our namespace)."""
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(parts)))


def _read(path: str) -> Any:
    return json.loads(resources.files(__package__).joinpath(path).read_text("utf-8"))


@cache
def derived_schema() -> dict[str, Any]:
    """The JSON Schema of the fields the platform derives (record ids, statistics, names)."""
    return _read("fields.json")


@cache
def vocabulary() -> dict[str, Any]:
    """Codes -> names for the derived columns, from the one glossary (schemas/glossary.json)."""
    glossary = schemas.glossary()
    return {"districts": glossary["districts"], "district_other": glossary["district_outside"],
            "district_none": glossary["district_none"],
            "kinds": {kind: term["label"] for kind, term in glossary["kinds"].items()}}


@cache
def row_schema(name: str) -> dict[str, Any]:
    """The flat public fields of a dataset that is not of records: annual reports, spot-check results."""
    return _read(ROW_SCHEMAS[name])


def schema_of(name: str) -> dict[str, Any]:
    if name == DERIVED:
        return derived_schema()
    if name in ROW_SCHEMAS:
        return row_schema(name)
    return schemas.kind_schema(name)


def schema_url(name: str) -> str:
    return schema_of(name)["$id"]


@dataclass(frozen=True)
class Column:
    """One column of a dataset, tied to one field of one JSON Schema."""

    id: str
    schema: str  # a record kind or "derived"
    field: str
    title: str
    description: str
    json_type: str  # string | number | integer | array | date
    enum: tuple[str, ...] = ()
    national_code: str | None = None

    @property
    def datastore_type(self) -> str:
        return _TYPES[self.json_type][0]

    @property
    def frictionless_type(self) -> str:
        return _TYPES[self.json_type][1]

    @property
    def source(self) -> str:
        """Where the column is defined: a JSON pointer into its schema."""
        return f"{schema_url(self.schema)}#/properties/{self.field}"

    def info(self) -> dict[str, Any]:
        """CKAN datastore data dictionary entry (`info` of a field)."""
        out = {"label": self.title, "notes": self.description, "type_override": "", "source": self.source}
        if self.national_code:
            out["national_code"] = self.national_code
        return out


@dataclass(frozen=True)
class Dataset:
    """One open dataset: catalog metadata, the rows it takes, and its columns."""

    name: str
    title: str
    notes: str
    organization: str  # department key in schemas/catalog.json
    groups: tuple[str, ...]
    tags: tuple[str, ...]
    license_id: str
    frequency: str
    issued: str
    schema: str
    source: str  # one of ROW_SOURCES
    kinds: tuple[str, ...]
    where: tuple[tuple[str, tuple[str, ...]], ...]
    on_list: bool
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    digest: str = field(compare=False)  # of the definition file: part of every version's identity

    @property
    def id(self) -> str:
        return stable_id("dataset", self.name)

    def column(self, column_id: str) -> Column | None:
        return next((c for c in self.columns if c.id == column_id), None)

    @property
    def column_ids(self) -> list[str]:
        return [c.id for c in self.columns]


def _column(ref: str, default_schema: str) -> Column:
    schema_name, _, name = ref.rpartition("#")
    schema_name = schema_name or default_schema
    prop = schema_of(schema_name)["properties"].get(name)
    if prop is None:
        raise ValueError(f"column {ref!r}: no field {name!r} in schema {schema_name!r}")
    if prop.get("x-public") is False:
        raise ValueError(f"column {ref!r}: field {name!r} is not public and may never be published")
    json_type = "date" if prop.get("format") == "date" else prop["type"]
    enum = prop.get("enum") or prop.get("items", {}).get("enum") or ()
    return Column(id=name, schema=schema_name, field=name, title=prop["title"],
                  description=prop.get("description", ""), json_type=json_type, enum=tuple(enum),
                  national_code=prop.get("x-national-code"))


def parse(data: dict[str, Any], digest: str = "") -> Dataset:
    """Build a Dataset from its definition, refusing anything inconsistent."""
    name = data["name"]
    if not NAME_PATTERN.match(name):
        raise ValueError(f"dataset name {name!r} must match {NAME_PATTERN.pattern}")
    rows = data["rows"]
    if rows["from"] not in ROW_SOURCES:
        raise ValueError(f"{name}: rows.from must be one of {ROW_SOURCES}")
    columns = tuple(_column(ref, data["schema"]) for ref in data["columns"])
    key = tuple(data["key"]) if isinstance(data["key"], list) else (data["key"],)
    ids = [c.id for c in columns]
    if len(set(ids)) != len(ids) or not set(key) <= set(ids):
        raise ValueError(f"{name}: column ids must be unique and include the key {key}")
    return Dataset(
        name=name, title=data["title"], notes=data["notes"], organization=data["organization"],
        groups=tuple(data["groups"]), tags=tuple(data["tags"]), license_id=data["license_id"],
        frequency=data["frequency"], issued=data["issued"], schema=data["schema"], source=rows["from"],
        kinds=tuple(rows.get("kinds", ())), where=tuple((f, tuple(v)) for f, v in sorted(rows.get("where", {}).items())),
        on_list=bool(rows.get("on_list")), key=key, columns=columns, digest=digest,
    )


@cache
def datasets() -> tuple[Dataset, ...]:
    """Every dataset definition, sorted by name."""
    out = []
    folder = resources.files(__package__).joinpath("datasets")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            raw = entry.read_bytes()
            out.append(parse(json.loads(raw), hashlib.sha256(raw).hexdigest()[:16]))
    return tuple(out)


@cache
def themes() -> tuple[dict[str, str], ...]:
    return tuple(_read("themes.json")["themes"])


@cache
def licenses() -> dict[str, dict[str, Any]]:
    return {lic["id"]: lic for lic in _read("licenses.json")["licenses"]}


def by_name(name: str) -> Dataset | None:
    return next((d for d in datasets() if d.name == name or d.id == name), None)
