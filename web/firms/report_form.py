"""An annual-report form as HTML fields and back: names like `financials.revenue` and `contributions.0.paid_in`.

The JSON Schema of the form (schemas/annual_reports/) says each field's type, so the same
file drives the inputs on the page and the conversion of what the browser sends. Values that
do not convert are passed on as typed, so that the schema names the field at fault.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from domain.annual_reports import form_schema

#: Blank rows offered under each list of the form (a firm with more fills them and saves again).
BLANK_ROWS = 2
TRUE = {"1", "true", "on", "yes", "是"}


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
    """The nested report from a posted form (a MultiDict); empty inputs and empty rows are left out."""
    props = form_schema(form)["properties"]
    report: dict[str, Any] = {"credit_code": credit_code, "year": year}
    for name, prop in props.items():
        if name in report:
            continue
        if name == "public_items":
            report[name] = posted.getlist("public_items")
        elif prop.get("type") == "object":
            group = {k: _value(p, posted.get(f"{name}.{k}")) for k, p in prop["properties"].items()}
            group = {k: v for k, v in group.items() if v is not None}
            if group:
                report[name] = group
        elif prop.get("type") == "array":
            rows = _rows(prop["items"]["properties"], posted, name)
            if rows:
                report[name] = rows
        else:
            value = _value(prop, posted.get(name))
            if value is not None:
                report[name] = value
    return report


def _rows(props: dict[str, Any], posted: Any, name: str) -> list[dict[str, Any]]:
    indexes = sorted({int(k.split(".")[1]) for k in posted.keys()
                      if k.startswith(f"{name}.") and k.split(".")[1].isdigit()})
    rows = []
    for i in indexes:
        row = {k: _value(p, posted.get(f"{name}.{i}.{k}")) for k, p in props.items()}
        row = {k: v for k, v in row.items() if v is not None}
        if row:
            rows.append(row)
    return rows


def _value(prop: dict[str, Any], raw: Any) -> Any:
    if prop.get("type") == "boolean":
        return None if raw in (None, "") else str(raw).strip().lower() in TRUE
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip()
    try:
        if prop.get("type") == "integer":
            return int(text)
        if prop.get("type") == "number":
            return Decimal(text.replace(",", ""))
    except (ValueError, InvalidOperation):
        return text  # the schema refuses it, naming the field
    return text


def choosable(form: str) -> list[str]:
    """The items the firm chooses to publish or not (financial items, headcount, guarantees)."""
    return list(form_schema(form)["properties"]["public_items"]["items"]["enum"])
