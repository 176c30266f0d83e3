"""Valid listings, red lists, commitments and licences for supervision tests, plus plain rule dicts.

`submit` stores items under each one's own source unit (the catalog's department for the
list type). `fact` builds the plain record dict the rules read (domain/evidence.py).
"""
from __future__ import annotations

from typing import Any

import schemas
from tests.records import COMPANY, SCJG, SW

DEPTS = {d["key"]: d["code"] for d in schemas.catalog()["departments"]}
NAMES = {d["code"]: d["name"] for d in schemas.catalog()["departments"]}
LIST_SOURCE = schemas.catalog()["sources"]["dishonesty_listing"]["by_list_type"]
OTHER = "91210502MA0Y7D8X22"  # a second valid code (平山区)
PARTY = {"party_name": "本溪市明山区恒达建材有限公司", "party_type": "法人及非法人组织", "credit_code": COMPANY}


def _by(dept: str) -> dict[str, str]:
    return {"authority": NAMES[dept], "authority_code": dept, "source_unit_code": dept}


def dishonesty(n: int = 1, list_type: str = "严重违法失信", decision_date: str = "2025-06-01", **kw: Any) -> dict:
    dept = LIST_SOURCE[list_type]
    return {"kind": "dishonesty_listing", **PARTY, "list_type": list_type, "document_number": f"失信〔2025〕{n}号",
            "cause": "提交虚假材料取得登记", "decision_date": decision_date, **_by(dept), **kw}


def dishonesty_removal(n: int = 1, list_type: str = "严重违法失信", decision_date: str = "2026-09-01", **kw: Any) -> dict:
    dept = LIST_SOURCE[list_type]
    return {"kind": "dishonesty_removal", "credit_code": kw.pop("credit_code", COMPANY), "list_type": list_type,
            "listing_document_number": f"失信〔2025〕{n}号", "document_number": f"移出〔2026〕{n}号",
            "cause": "提前移出", "decision_date": decision_date, **_by(dept), **kw}


def anomaly(n: int = 1, decision_date: str = "2026-05-10", **kw: Any) -> dict:
    return {"kind": "anomaly_listing", **PARTY, "document_number": f"异常〔2026〕{n}号",
            "cause": "未按规定期限公示年度报告", "decision_date": decision_date, **_by(SCJG), **kw}


def anomaly_removal(n: int = 1, decision_date: str = "2026-08-01", **kw: Any) -> dict:
    return {"kind": "anomaly_removal", "credit_code": kw.pop("credit_code", COMPANY),
            "listing_document_number": f"异常〔2026〕{n}号", "document_number": f"异常移出〔2026〕{n}号",
            "cause": "已补报年度报告", "decision_date": decision_date, **_by(SCJG), **kw}


def red(n: int = 1, list_type: str = "纳税信用A级纳税人", decision_date: str = "2026-04-15",
        valid_to: str = "2027-04-14", **kw: Any) -> dict:
    return {"kind": "red_list", **PARTY, "list_type": list_type, "document_number": f"税A〔2026〕{n}号",
            "honour": "2025年度纳税信用A级纳税人", "decision_date": decision_date, "valid_to": valid_to, **_by(SW), **kw}


def commitment(n: int = 1, fulfilment: str = "未履约", commitment_date: str = "2026-02-01", **kw: Any) -> dict:
    return {"kind": "commitment", **PARTY, "document_number": f"承诺〔2026〕{n}号", "commitment_type": "告知承诺",
            "matter": "食品经营许可告知承诺", "content": "本单位承诺所填报信息真实有效。",
            "commitment_date": commitment_date, "fulfilment": fulfilment, **_by(SCJG), **kw}


def licence(n: int = 1, decision_date: str = "2025-01-10", valid_to: str = "2030-01-09", **kw: Any) -> dict:
    return {"kind": "license", **PARTY, "document_title": "食品经营许可决定书", "document_number": f"许可〔2025〕{n}号",
            "category": "普通", "content": "预包装食品销售", "decision_date": decision_date, "valid_from": decision_date,
            "valid_to": valid_to, **_by(SCJG), **kw}


def submit(platform: Any, *items: dict) -> Any:
    """Store items under their own source units; fail loudly on any rejection."""
    result = platform.records.submit(list(items), department=None, submitter="test")
    rejected = [i.as_dict() for i in result.items if i.status == "rejected"]
    assert not rejected, rejected
    return result


def fact(kind: str, decision_date: str, n: int = 1, **kw: Any) -> dict[str, Any]:
    """A plain counting record, as projections/supervision.py hands it to the rules."""
    return {"record_id": f"{kind}-{n}", "position": n, "kind": kind, "list_type": kw.pop("list_type", None),
            "document_number": f"{kind}〔{n}〕", "authority": "本溪市市场监督管理局", "decision_date": decision_date,
            "list_until": kw.pop("list_until", None), "public_until": kw.pop("public_until", None),
            "publicity": kw.pop("publicity", None), "data": kw}
