"""信易贷 for the demo: three lenders registered by the credit office, their credit loan products, and
some companies' consents, lenders' reads (one refused for want of consent), applications and decisions.

Deterministic from the seed: the companies are chosen by a hash of the seed and their code.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.codes import make_credit_code
from gongshi.demo.common import END_ISO

#: (credit code, name, type)
LENDERS = (
    (make_credit_code("91", "210500", "MA0XYD01"), "本溪银行股份有限公司", "bank"),
    (make_credit_code("91", "210500", "MA0XYD02"), "辽宁本溪农村商业银行股份有限公司", "rural_bank"),
    (make_credit_code("91", "210502", "MA0XYD03"), "本溪市融资担保有限责任公司", "guarantee"),
)
#: (lender index, product)
PRODUCTS = (
    (0, {"code": "BX-SXD", "name": "税信贷", "description": "纳税信用良好的小微企业，纯信用、随借随还",
         "amount": {"min": 10, "max": 300}, "term_months": {"min": 6, "max": 36}, "rate_percent": {"min": 3.45, "max": 4.8},
         "eligibility": {"grades": ["A", "B"], "no_dishonesty_listing": True, "min_years_in_business": 2}}),
    (0, {"code": "BX-CYD", "name": "创业信用贷", "description": "成立不满三年的初创企业",
         "amount": {"min": 5, "max": 50}, "term_months": {"min": 3, "max": 24}, "rate_percent": {"min": 3.9, "max": 6.0},
         "eligibility": {"no_dishonesty_listing": True}}),
    (1, {"code": "NS-XYD", "name": "信易贷·农商快贷", "description": "县域企业和农业经营主体",
         "amount": {"min": 5, "max": 200}, "term_months": {"min": 6, "max": 36}, "rate_percent": {"min": 3.8, "max": 5.6},
         "eligibility": {"grades": ["A", "B", "C"], "no_dishonesty_listing": True, "min_years_in_business": 1}}),
    (2, {"code": "DB-XYB", "name": "信用担保贷", "description": "本市担保机构提供担保的信用贷款",
         "amount": {"min": 20, "max": 500}, "term_months": {"min": 12, "max": 36}, "rate_percent": {"min": 4.2, "max": 6.5},
         "eligibility": {"grades": ["A"], "min_years_in_business": 3}}),
)
SHARE = 1 / 25


@dataclass
class DemoFirm:
    """A company that grants a consent (or applies), on a day, and whether its lender reads and decides."""

    credit_code: str
    on: str
    lender: int
    applies: bool
    grant: bool  # whether an application is granted (when it applies)


def choose_firms(entities: Iterable[dict[str, Any]], seed: int, end: str = END_ISO) -> list[DemoFirm]:
    """About 1 in 25 companies, each with a lender and a day in the demo's last two months."""
    end_day, out = dt.date.fromisoformat(end), []
    for ent in entities:
        code = ent.get("credit_code") or ""
        if not code.startswith("91"):
            continue
        digest = hashlib.sha256(f"lending/{seed}/{code}".encode()).digest()
        if digest[0] / 256 >= SHARE:
            continue
        on = end_day - dt.timedelta(days=5 + digest[1] % 50)
        out.append(DemoFirm(code, on.isoformat(), digest[2] % len(LENDERS), digest[3] % 2 == 0, digest[4] % 3 != 0))
    return out
