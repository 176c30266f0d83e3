"""An annual-report form as HTML fields and back: names like `financials.revenue` and `contributions.0.paid_in`.

The JSON Schema of the form (schemas/annual_reports/) drives the inputs on the page; what the
browser sends is read back by domain/annual_reports.unflatten, as a CSV import's columns are.
"""
from __future__ import annotations

from typing import Any

from domain.annual_reports import form_schema, unflatten

#: Blank rows offered under each list of the form (a firm with more fills them and saves again).
BLANK_ROWS = 2


def fields_of(form: str) -> list[dict[str, Any]]:
    """The form's fields for the template: scalars, groups (objects) and tables (lists of objects)."""
    out = []
    for name, prop in form_schema(form)["properties"].items():
        if name in ("year", "credit_code", "public_items"):
            continue
        if prop.get("type") == "object":
            out.append({"name": name, "title": prop["title"], "shape": "group",
                        "fields": [{"name": k, **v} for k, v in prop["properties"].items()]})
        elif prop.get("type") == "array":
            out.append({"name": name, "title": prop["title"], "shape": "table",
                        "fields": [{"name": k, **v} for k, v in prop["items"]["properties"].items()]})
        else:
            out.append({"name": name, "shape": "scalar", **prop})
    return out


def rows_for(report: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [*report.get(name, []), *({} for _ in range(BLANK_ROWS))]


def parse(form: str, posted: Any, credit_code: str, year: int) -> dict[str, Any]:
    """The nested report from a posted form (a MultiDict): the firm's own code and the page's year."""
    flat = {k: (posted.getlist(k) if k == "public_items" else posted.get(k)) for k in posted.keys() if k != "csrf"}
    return {**unflatten(form, flat), "credit_code": credit_code, "year": year}


def choosable(form: str) -> list[str]:
    """The items the firm chooses to publish or not (financial items, headcount, guarantees)."""
    return list(form_schema(form)["properties"]["public_items"]["items"]["enum"])
