"""Shared pieces of the demo generator: the demo calendar, departments and the source rule.

Departments and sources are read from schemas/catalog.json (never duplicated here).
"""
from __future__ import annotations

import datetime as dt
from functools import cache

from schemas import catalog

START = dt.date(2019, 1, 1).toordinal()
END = dt.date(2026, 11, 20).toordinal()
END_ISO = "2026-11-20"
LONG_TERM = "2099-12-31"
EPOCH = dt.date(1940, 1, 1).toordinal()

#: catalog key -> {"code", "name"} (read from schemas/catalog.json, never duplicated here)
DEPARTMENTS: dict[str, dict[str, str]] = {
    d["key"]: {"code": d["code"], "name": d["name"]} for d in catalog()["departments"]}
BY_CODE = {d["code"]: (d["key"], d["name"]) for d in catalog()["departments"]}


@cache
def iso_table() -> tuple[str, ...]:
    """ISO strings of every day from EPOCH to 2099, indexed by ordinal - EPOCH (fast formatting)."""
    return tuple(dt.date.fromordinal(o).isoformat()
                 for o in range(EPOCH, dt.date(2100, 1, 1).toordinal()))


def add_years(o: int, n: int) -> int:
    d = dt.date.fromordinal(o)
    try:
        return d.replace(year=d.year + n).toordinal()
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28).toordinal()


def add_months(o: int, n: int) -> int:
    d = dt.date.fromordinal(o)
    y, m = divmod(d.month - 1 + n, 12)
    return dt.date(d.year + y, m + 1, min(d.day, 28)).toordinal()


def source_department(kind: str, credit_code: str | None = None, list_type: str | None = None) -> str:
    """The catalog's one source of a kind (for deciding-authority kinds: raises KeyError)."""
    src = catalog()["sources"][kind]
    if src["rule"] == "department":
        return src["department"]
    if src["rule"] == "by_category":
        return src["by_category"].get((credit_code or "")[:2], src["default"])
    if src["rule"] == "by_list_type":
        return src["by_list_type"][list_type]
    raise KeyError(f"{kind}: the source is the deciding authority")


def department_name(code: str) -> str:
    return BY_CODE[code][1]
