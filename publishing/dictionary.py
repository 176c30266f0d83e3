"""A dataset's data dictionary: as JSON Schema (2020-12) and as a Frictionless Data Package.

Both are pure functions of the definition: each column carries its title, description, type
and enumeration from the JSON Schema field it is tied to, and names that field as its source.
"""
from __future__ import annotations

from typing import Any

from publishing.ckan_dicts import license_info, resource_url
from publishing.definitions import Column, Dataset

_JSON_TYPES = {"string": "string", "date": "string", "number": "number", "integer": "integer", "array": "string"}


def _property(column: Column) -> dict[str, Any]:
    prop: dict[str, Any] = {"title": column.title, "type": [_JSON_TYPES[column.json_type], "null"]}
    if column.description:
        prop["description"] = column.description
    if column.json_type == "date":
        prop["format"] = "date"
    if column.json_type == "array":
        prop["description"] = (column.description + "；" if column.description else "") + "多个值以英文分号 ; 分隔"
    if column.enum and column.json_type != "array":
        prop["enum"] = [*column.enum, None]
    if column.national_code:
        prop["x-national-code"] = column.national_code
    prop["x-source"] = column.source
    return prop


def json_schema(dataset: Dataset, site: str) -> dict[str, Any]:
    """The JSON Schema of one row of the dataset (as in its JSON download and datastore records)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{site}/dataset/{dataset.name}/schema.json",
        "title": dataset.title,
        "description": dataset.notes,
        "type": "object",
        "properties": {c.id: _property(c) for c in dataset.columns},
        "required": list(dataset.key),
        "additionalProperties": False,
        "x-primary-key": list(dataset.key),
    }


def _field(column: Column, key: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": column.id, "title": column.title, "type": column.frictionless_type}
    if column.description:
        out["description"] = column.description
    constraints: dict[str, Any] = {}
    if column.id in key:
        constraints["required"] = True
    if column.enum and column.json_type != "array":
        constraints["enum"] = list(column.enum)
    if constraints:
        out["constraints"] = constraints
    out["x-source"] = column.source
    return out


def table_schema(dataset: Dataset) -> dict[str, Any]:
    return {"fields": [_field(c, dataset.key) for c in dataset.columns], "primaryKey": list(dataset.key),
            "missingValues": [""]}


def datapackage(dataset: Dataset, site: str) -> dict[str, Any]:
    """A Frictionless tabular data package describing the CSV download."""
    lic = license_info(dataset.license_id)
    return {
        "profile": "tabular-data-package",
        "name": dataset.name,
        "title": dataset.title,
        "description": dataset.notes,
        "homepage": f"{site}/datasets/{dataset.name}",
        "keywords": list(dataset.tags),
        "licenses": [{"name": dataset.license_id, "title": lic.get("title"), "path": lic.get("url") or None}],
        "resources": [{
            "name": dataset.name,
            "title": dataset.title,
            "profile": "tabular-data-resource",
            "path": resource_url(site, dataset, "csv"),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True, "header": True},
            "schema": table_schema(dataset),
        }],
    }
