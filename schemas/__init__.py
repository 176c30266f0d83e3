"""The schemas of record kinds, the source catalog and the publicity rules, as data.

Every file here is the single description of what it covers: the same JSON Schema
validates API input and import files and documents the open datasets.
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

#: Record kinds in the order they are documented.
KINDS = (
    "entity",
    "license",
    "penalty",
    "commitment",
    "anomaly_listing",
    "anomaly_removal",
    "dishonesty_listing",
    "dishonesty_removal",
    "abnormal_mark",
    "abnormal_mark_removal",
    "red_list",
    "credit_agency",
    "society_info",
)


def load(path: str) -> Any:
    """One JSON data file of this package, e.g. load('calendar.json')."""
    return json.loads(resources.files(__package__).joinpath(path).read_text("utf-8"))


@cache
def kind_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one record kind."""
    if kind not in KINDS:
        raise KeyError(kind)
    return load(f"kinds/{kind}.json")


@cache
def glossary() -> dict[str, Any]:
    """The one glossary (glossary.json): identifiers -> the words every page, dataset and message uses."""
    return load("glossary.json")


@cache
def catalog() -> dict[str, Any]:
    """The data collection catalog: departments and the one source of each kind."""
    return load("catalog.json")


@cache
def publicity_rules() -> dict[str, Any]:
    """Publicity-period rule sets with their effective dates (DOMAIN.md section 3)."""
    return load("publicity_rules.json")


@cache
def national_codes(kind: str) -> dict[str, str]:
    """Map from national field code (CF_/XK_) to the schema's own field name."""
    props = kind_schema(kind)["properties"]
    return {p["x-national-code"]: name for name, p in props.items() if "x-national-code" in p}


@cache
def private_fields(kind: str) -> frozenset[str]:
    """Fields that never leave the ledger for a public view (ID numbers, phones)."""
    props = kind_schema(kind)["properties"]
    return frozenset(name for name, p in props.items() if p.get("x-public") is False)


@cache
def free_text_fields(kind: str) -> frozenset[str]:
    """Fields holding prose that a department may have typed anything into."""
    props = kind_schema(kind)["properties"]
    return frozenset(
        name for name, p in props.items()
        if p.get("type") == "string" and p.get("maxLength", 0) >= 200 and not name.endswith("_code")
    )
