"""Reading flat forms: HTML form fields and CSV columns named by path (`origin.place`, `contributions.0.paid_in`).

One reader for every nested JSON Schema form that arrives flat (annual reports from the firm's web
form and the paper import, traceability batches and steps from a CSV import): values are typed by
the schema (booleans, integers, decimals), lists of scalars may be separated by ；, ; or 、, blank
values and blank rows are left out, and a value that does not convert is passed on as typed so that
the schema check names the field at fault.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

_TRUE = {"1", "true", "on", "yes", "是", "有"}
_LIST_SPLIT = re.compile(r"[;；,，、|]")


def unflatten(properties: dict[str, Any], flat: dict[str, Any]) -> dict[str, Any]:
    """A nested object from flat names (`financials.revenue`, `contributions.0.paid_in`), typed by a JSON
    Schema's `properties`.

    Blank values and blank rows are left out; a value that does not convert is passed on as
    typed, so that the schema check names the field at fault.
    """
    report: dict[str, Any] = {}
    for name, prop in properties.items():
        if prop.get("type") == "object":
            group = {k: _typed(p, flat.get(f"{name}.{k}")) for k, p in prop["properties"].items()}
            group = {k: v for k, v in group.items() if v is not None}
            if group:
                report[name] = group
        elif prop.get("type") == "array" and prop["items"].get("type") == "object":
            rows = _rows(prop["items"]["properties"], flat, name)
            if rows:
                report[name] = rows
        elif prop.get("type") == "array":
            value = flat.get(name)
            items = _LIST_SPLIT.split(value) if isinstance(value, str) else list(value or ())
            items = [i.strip() for i in items if str(i).strip()]
            if items or name in flat:
                report[name] = items
        else:
            value = _typed(prop, flat.get(name))
            if value is not None:
                report[name] = value
    unknown = sorted(k for k in flat if k.split(".")[0] not in properties)
    for key in unknown:
        report[key] = flat[key]  # refused by the schema, by name
    return report


def _rows(props: dict[str, Any], flat: dict[str, Any], name: str) -> list[dict[str, Any]]:
    indexes = sorted({int(k.split(".")[1]) for k in flat if k.startswith(f"{name}.") and k.split(".")[1].isdigit()})
    rows = []
    for i in indexes:
        row = {k: _typed(p, flat.get(f"{name}.{i}.{k}")) for k, p in props.items()}
        row = {k: v for k, v in row.items() if v is not None}
        if row:
            rows.append(row)
    return rows


def _typed(prop: dict[str, Any], raw: Any) -> Any:
    if raw is None or isinstance(raw, (bool, int, Decimal)):
        return raw
    text = str(raw).strip()
    if not text:
        return None
    try:
        if prop.get("type") == "boolean":
            return text.lower() in _TRUE
        if prop.get("type") == "integer":
            return int(text)
        if prop.get("type") == "number":
            return Decimal(text.replace(",", ""))
    except (ValueError, InvalidOperation):
        return text
    return text
