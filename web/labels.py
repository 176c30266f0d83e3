"""The portal's labels: identifiers of kinds, lists, districts and facets -> Chinese UI text, read from the one
glossary (schemas/glossary.json) that the open data and the README use too."""
from __future__ import annotations

from functools import cache
from typing import Any

import schemas
from domain import annual_reports
from domain.records import REMOVAL_KIND  # noqa: F401 - the templates name a listing's removal kind by it

_GLOSSARY = schemas.glossary()

#: Kind identifier -> its label on pages and facets (a listing kind is labelled by its list).
KINDS = {kind: term["label"] for kind, term in _GLOSSARY["kinds"].items()}
LISTS = _GLOSSARY["lists"]
LIST_STATUS = _GLOSSARY["list_status"]
#: Benxi city (2105) and its districts and counties (GB/T 2260).
DISTRICTS = _GLOSSARY["districts"]
OUTSIDE = _GLOSSARY["district_outside"]
NO_DISTRICT = _GLOSSARY["district_none"]
FACETS = _GLOSSARY["facets"]
SORTS = _GLOSSARY["sorts"]
TABS = _GLOSSARY["tabs"]
EVENTS = _GLOSSARY["events"]
#: Events whose reason the public sees (a case number is not a reason).
PUBLIC_REASONS = ("corrected", "removed", "repair_revoked", "objection_closed")
SEVERITY = _GLOSSARY["severity"]


def district(code: str | None) -> str:
    """A division code's name; codes outside Benxi are 'registered outside the city'."""
    if not code:
        return NO_DISTRICT
    return DISTRICTS.get(code, OUTSIDE)


@cache
def departments() -> dict[str, str]:
    """Department credit code -> name, from the source catalog."""
    return {d["code"]: d["name"] for d in schemas.catalog()["departments"]}


@cache
def field_titles(kind: str) -> dict[str, str]:
    """A kind's field names -> their Chinese titles, in schema order."""
    return {name: prop.get("title", name) for name, prop in schemas.kind_schema(kind)["properties"].items()}


def facet_value(facet: str, value: Any) -> str:
    """The label of one facet value (a kind, a department code, a district code...)."""
    value = str(value)
    if facet == "kind":
        return KINDS.get(value, value)
    if facet == "department":
        return departments().get(value, value)
    if facet == "district":
        return district(value)
    return value or "未知"


@cache
def report_titles(form: str) -> dict[str, Any]:
    """An annual-report form's field titles, nested like the form (lists of objects by their items' fields)."""
    from_schema = annual_reports.form_schema(form)

    def titles(props: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, prop in props.items():
            inner = prop.get("properties") or prop.get("items", {}).get("properties")
            out[name] = {"title": prop.get("title", name), **({"fields": titles(inner)} if inner else {})}
        return out
    return {"title": from_schema["title"], "fields": titles(from_schema["properties"])}
