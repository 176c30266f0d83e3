"""Helpers for the 信易贷 tests: registered lenders, their tokens, a logged-in firm, a product."""
from __future__ import annotations

from typing import Any

from domain.codes import make_credit_code

BANK = make_credit_code("91", "210500", "MA0BK001")
OTHER_BANK = make_credit_code("91", "210500", "MA0BK002")
UNREGISTERED = make_credit_code("91", "210500", "MA0BK009")

PRODUCT = {"code": "XYD-01", "name": "税信贷", "description": "纳税信用良好企业的信用贷款",
           "amount": {"min": 10, "max": 300}, "term_months": {"min": 6, "max": 36},
           "rate_percent": {"min": 3.45, "max": 5.5},
           "eligibility": {"grades": ["A", "B"], "no_dishonesty_listing": True, "min_years_in_business": 2}}


def register_lenders(platform: Any) -> None:
    platform.lending.register(BANK, "本溪银行股份有限公司", "bank", platform.clock(), "test")
    platform.lending.register(OTHER_BANK, "本溪农村商业银行", "rural_bank", platform.clock(), "test")


def lender_headers(platform: Any, code: str = BANK) -> dict[str, str]:
    return {"Authorization": f"Bearer {platform.tokens.create(department=code, role='lender')}"}


def grant(client: Any, csrf: str, **fields: Any) -> Any:
    body = {"lender_code": BANK, "purpose": "loan_review", "valid_until": "2027-05-24", **fields}
    return client.post("/api/v1/consents", json=body, headers={"X-CSRF-Token": csrf})
