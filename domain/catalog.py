"""The data collection catalog (政务数据采集目录) and the one-source rule (一数一源)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class Department:
    key: str
    code: str
    name: str


class Catalog:
    """Which department is the one source of each record kind (and list type)."""

    def __init__(self, data: dict[str, Any]):
        self.data = data

    @cached_property
    def departments(self) -> dict[str, Department]:
        return {d["code"]: Department(d["key"], d["code"], d["name"]) for d in self.data["departments"]}

    def department(self, code: str) -> Department | None:
        return self.departments.get(code)

    def source_for(self, kind: str, fields: dict[str, Any]) -> str | None:
        """The credit code of the department that must submit this record, or None if undecidable."""
        rule = self.data["sources"][kind]
        match rule["rule"]:
            case "deciding_authority":
                return fields.get("authority_code")
            case "department":
                return rule["department"]
            case "by_list_type":
                return rule["by_list_type"].get(fields.get("list_type", ""))
            case "by_category":
                return rule["by_category"].get(str(fields.get("credit_code", ""))[:2], rule["default"])
            case "confirmed_contribution":
                return None  # made only by confirming a contribution (application/contributions.py)
        raise ValueError(f"unknown source rule {rule['rule']!r} for {kind}")

    def public_view(self) -> dict[str, Any]:
        """The catalog as published at /api/v1/catalog and by `gongshi catalog --json`."""
        names = {d.code: d.name for d in self.departments.values()}
        kinds = {}
        for kind, rule in self.data["sources"].items():
            entry: dict[str, Any] = {"rule": rule["rule"]}
            if rule["rule"] == "department":
                entry["department"] = {"code": rule["department"], "name": names[rule["department"]]}
            elif rule["rule"] == "by_list_type":
                entry["by_list_type"] = {
                    t: {"code": c, "name": names[c]} for t, c in rule["by_list_type"].items()
                }
            elif rule["rule"] == "by_category":
                entry["default"] = {"code": rule["default"], "name": names[rule["default"]]}
                entry["by_category"] = {p: {"code": c, "name": names[c]} for p, c in rule["by_category"].items()}
            elif rule["rule"] == "confirmed_contribution":
                entry["note"] = rule["note"]
            else:
                entry["note"] = "作出决定的机关本身即为唯一数据来源 (the deciding authority is the one source)"
            kinds[kind] = entry
        return {
            "description": self.data["description"],
            "departments": [{"code": d.code, "name": d.name} for d in self.departments.values()],
            "kinds": kinds,
        }
