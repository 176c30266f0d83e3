"""Credit loan products (信用贷款产品) and the firms' applications for them.

A lender publishes a product (schemas/lending/product.json: name, amount, term and rate ranges,
eligibility as data: credit-risk grades, no dishonesty listing, years in business); publishing the
same product code again changes it, withdrawing takes it off /finance/products. A firm sees, for
each product, whether it is eligible and every reason why not (`reasons`), and applies: the
application carries a consent to the product's lender (domain/consents.py), saved together. The
lender decides (granted or declined); the counts are the financing-statistics dataset.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    ConflictError,
    FieldError,
    ForbiddenError,
    NotEligibleError,
    ValidationFailed,
)
from domain.lenders import checked, rules

ACTIVE, WITHDRAWN = "active", "withdrawn"
SUBMITTED, GRANTED, DECLINED = "submitted", "granted", "declined"
DECISIONS = (GRANTED, DECLINED)


def application_id(reference: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/loan-applications/{reference}")


def product_id(lender_code: str, code: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/loan-products/{lender_code}/{code}")


def _plain(value: Any) -> Any:
    """Decimals (JSON bodies parse fractions as decimals) as floats or ints: events store plain JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def check_product(data: Any) -> dict[str, Any]:
    """A product as published, or every fault named (a range whose min exceeds its max, over the city's limits)."""
    fields = _plain(checked("product", data, "贷款产品"))
    limits = rules()["products"]
    errors: list[FieldError] = []
    for name, title, top in (("amount", "贷款额度（万元）", limits["max_amount_wan"]),
                             ("term_months", "贷款期限（月）", limits["max_term_months"]),
                             ("rate_percent", "年利率（%）", limits["max_rate_percent"])):
        low, high = fields[name]["min"], fields[name]["max"]
        if low > high:
            errors.append(FieldError(f"{name}.min", "range", f"{title}的下限（{name}.min）不能高于上限",
                                     f"{name}.min cannot exceed {name}.max"))
        if high > top:
            errors.append(FieldError(f"{name}.max", "maximum", f"{title}的上限（{name}.max）最高为 {top}",
                                     f"{name}.max may be at most {top}"))
    if errors:
        raise ValidationFailed(errors)
    fields.setdefault("description", "")
    return fields


class LoanProduct(Aggregate):
    """One lender's product, by its own code."""

    TOPIC = "gongshi:LoanProduct"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:LoanProduct.Created"

    class Published(Aggregate.Created):
        TOPIC = "gongshi:LoanProduct.Published"
        lender_code: str
        lender_name: str
        product: dict[str, Any]
        on: str
        submitter: str

    @staticmethod
    def create_id(lender_code: str, product: dict[str, Any]) -> UUID:
        return product_id(lender_code, product["code"])

    @event(Published)
    def __init__(self, lender_code, lender_name, product, on, submitter):
        self.lender_code, self.lender_name = lender_code, lender_name
        self.product, self.status = product, ACTIVE

    class Changed(Aggregate.Event):
        TOPIC = "gongshi:LoanProduct.Changed"
        product: dict[str, Any]
        on: str
        submitter: str

        def apply(self, loan: LoanProduct) -> None:
            loan.product, loan.status = self.product, ACTIVE

    class Withdrawn(Aggregate.Event):
        TOPIC = "gongshi:LoanProduct.Withdrawn"
        on: str
        submitter: str

        def apply(self, loan: LoanProduct) -> None:
            loan.status = WITHDRAWN

    def change(self, product: dict[str, Any], today: dt.date, submitter: str) -> None:
        if product != self.product or self.status != ACTIVE:
            self.trigger_event(self.Changed, product=product, on=today.isoformat(), submitter=submitter)

    def withdraw(self, today: dt.date, submitter: str) -> None:
        if self.status == WITHDRAWN:
            raise ConflictError("product_id", "withdrawn", "该产品已下架", "this product was withdrawn")
        self.trigger_event(self.Withdrawn, on=today.isoformat(), submitter=submitter)


@dataclass(frozen=True)
class FirmFacts:
    """What eligibility reads of a firm: its credit-risk grade, whether it is on the dishonesty list, since when."""

    grade: str | None
    dishonesty_listed: bool
    established: str | None


def reasons(eligibility: dict[str, Any], facts: FirmFacts, today: dt.date) -> list[dict[str, str]]:
    """Every condition of a product the firm does not meet, in Chinese and English (empty: eligible)."""
    out = []
    grades = eligibility.get("grades")
    if grades and facts.grade not in grades:
        out.append({"condition": "grades", "zh": f"信用风险分类须为 {'、'.join(grades)} 类（本企业当前为 {facts.grade or '未分类'}）",
                    "en": f"the credit-risk grade must be {', '.join(grades)} (yours: {facts.grade or 'none'})"})
    if eligibility.get("no_dishonesty_listing") and facts.dishonesty_listed:
        out.append({"condition": "no_dishonesty_listing", "zh": "须未列入严重违法失信名单（本企业当前在名单中）",
                    "en": "the firm must not be on the serious dishonesty list (it is)"})
    years = eligibility.get("min_years_in_business")
    if years:
        since = dt.date.fromisoformat(facts.established) if facts.established else None
        held = _years_between(since, today) if since else None
        if held is None or held < years:
            out.append({"condition": "min_years_in_business",
                        "zh": f"须成立满 {years} 年（本企业成立于 {facts.established or '未知'}）",
                        "en": f"the firm must be at least {years} years in business (established "
                              f"{facts.established or 'unknown'})"})
    return out


def _years_between(since: dt.date, today: dt.date) -> int:
    return today.year - since.year - ((today.month, today.day) < (since.month, since.day))


def check_application(data: Any, product: LoanProduct | None, facts: FirmFacts, today: dt.date) -> dict[str, Any]:
    """The application's amount and term inside the product's ranges and the firm eligible, or every fault named."""
    fields = _plain(checked("application", data, "贷款申请"))
    if product is None or product.status != ACTIVE:
        raise ValidationFailed([FieldError("product_id", "unknown_product", "没有该贷款产品，或产品已下架（见 /finance/products）",
                                           "no such product, or it was withdrawn (see /finance/products)")])
    errors = []
    for name, title, unit in (("amount", "申请金额", "万元"), ("term_months", "申请期限", "个月")):
        bounds = product.product[name]
        if not bounds["min"] <= fields[name] <= bounds["max"]:
            errors.append(FieldError(name, "out_of_range", f"{title}（{name}）应在 {bounds['min']}–{bounds['max']} {unit}之间",
                                     f"{name} must be from {bounds['min']} to {bounds['max']}"))
    if errors:
        raise ValidationFailed(errors)
    unmet = reasons(product.product["eligibility"], facts, today)
    if unmet:
        raise NotEligibleError([FieldError("eligibility", r["condition"], r["zh"], r["en"]) for r in unmet])
    return fields


class LoanApplication(Aggregate):
    """A firm's application for one product; it came with a consent to the product's lender."""

    TOPIC = "gongshi:LoanApplication"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:LoanApplication.Created"

    class Submitted(Aggregate.Created):
        TOPIC = "gongshi:LoanApplication.Submitted"
        credit_code: str
        firm_name: str
        product_id: str
        product_code: str
        product_name: str
        lender_code: str
        lender_name: str
        amount: float
        term_months: int
        consent_id: str
        reference: str  # random, chosen before the save so that its consent can name the application
        on: str
        submitter: str

    @staticmethod
    def create_id(reference: str) -> UUID:
        return application_id(reference)

    @event(Submitted)
    def __init__(self, credit_code, firm_name, product_id, product_code, product_name, lender_code,
                 lender_name, amount, term_months, consent_id, reference, on, submitter):
        self.credit_code, self.firm_name = credit_code, firm_name
        self.product_id, self.product_name = product_id, product_name
        self.lender_code, self.lender_name = lender_code, lender_name
        self.amount, self.term_months, self.consent_id = amount, term_months, consent_id
        self.status = SUBMITTED

    class Decided(Aggregate.Event):
        TOPIC = "gongshi:LoanApplication.Decided"
        decision: str
        amount: float | None
        note: str
        on: str
        submitter: str

        def apply(self, application: LoanApplication) -> None:
            application.status = self.decision

    def decide(self, lender: str, decision: str, amount: float | None, note: str, today: dt.date,
               submitter: str) -> None:
        if lender != self.lender_code:
            raise ForbiddenError("application", "other_lender", "这不是向本机构提出的申请",
                                 "this application was made to another lender")
        if self.status != SUBMITTED:
            raise ConflictError("status", "decided", f"该申请已处理（{self.status}）", f"already decided ({self.status})")
        if decision not in DECISIONS:
            raise ValidationFailed([FieldError("decision", "enum", "处理结果（decision）应为 granted（放款）或 declined（不予放款）",
                                               "decision must be granted or declined")])
        if decision == GRANTED and amount is not None and not 0 < amount <= self.amount:
            raise ValidationFailed([FieldError("amount", "out_of_range", f"放款金额（amount）应大于 0 且不超过申请金额 {self.amount} 万元",
                                               f"amount must be above 0 and at most the {self.amount} applied for")])
        granted = (amount if amount is not None else self.amount) if decision == GRANTED else None
        self.trigger_event(self.Decided, decision=decision, amount=granted, note=note, on=today.isoformat(),
                           submitter=submitter)
