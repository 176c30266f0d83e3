"""信易贷 commands: register lenders, grant and revoke consents, publish products, apply for loans, decide.

Each is one command in the house's way: load by natural key (or id), call the domain, save what it
touched in one transaction (`Ledger.execute`), catch the read models up, return the log position.
An application and the consent it carries are saved together, so neither exists without the other.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID, uuid4

from application.ledger import Ledger, last_position
from domain import consents, loans
from domain.cases import require_text
from domain.consents import Consent
from domain.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from domain.lenders import Lender, check_type, credit_code, lender_id, rules
from domain.loans import LoanApplication, LoanProduct, application_id, product_id
from domain.publicity import add_months
from domain.records import entity_id
from projections import lending_queries
from projections.db import Database
from projections.lender_reports import firm_facts
from projections.public import Moment
from projections.supervision import Rules


def as_uuid(raw: str, field: str, title: str) -> UUID:
    try:
        return UUID(str(raw).strip())
    except ValueError:
        raise NotFoundError(field, "malformed_id", f"{title}（{field}）格式不正确：{str(raw)[:40]}",
                            f"{field} is not a valid id: {str(raw)[:40]!r}") from None


def _amount(raw: Any) -> float | None:
    """A granted amount (万元) as sent, or None when not sent (the amount applied for)."""
    if raw in (None, ""):
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise InputError("amount", "type", "放款金额（amount）应为数字（万元）", "amount must be a number") from None


class Lending:
    def __init__(self, ledger: Ledger, db: Database, grading: Rules, catch_up: Callable[[], None]):
        self.ledger, self.db, self.grading, self.catch_up = ledger, db, grading, catch_up

    def _save(self, command: Callable[[], Sequence[Any]]) -> int:
        position = last_position(self.ledger.execute(command))
        self.catch_up()
        return position if position is not None else self.ledger.position()

    # -- the register (the credit office) ----------------------------------------------------------------
    @property
    def credit_office(self) -> str:
        key = rules()["approved_by"]
        return next(d.code for d in self.ledger.catalog.departments.values() if d.key == key)

    def lender(self, code: str) -> Lender:
        """A registered lender, or 403 naming `lender` (a token or account of anyone else)."""
        found = self.ledger.get_or_none(lender_id(code))
        if not isinstance(found, Lender):
            raise ForbiddenError("lender", "not_registered", f"{code} 不是经市信用办登记的放款机构",
                                 f"{code} is not a registered lender")
        return found

    def register(self, code: str, name: str, institution_type: str, today: dt.date, submitter: str) -> int:
        """Register a financial institution bound to its credit code, as approved by the credit office."""
        code = credit_code(code, "credit_code", "放款机构统一社会信用代码")
        text = require_text(name, "name", "机构名称", "the institution's name")
        kind = check_type(institution_type)
        if self.ledger.get_or_none(lender_id(code)) is not None:
            raise ConflictError("credit_code", "exists", f"{code} 已登记为放款机构", f"{code} is already registered")
        return self._save(lambda: [Lender(credit_code=code, name=text, institution_type=kind,
                                          approved_by=self.credit_office, on=today.isoformat(), submitter=submitter)])

    # -- consents (the firm's commands) ------------------------------------------------------------------
    def _firm_name(self, code: str) -> str:
        entity = self.ledger.get_or_none(entity_id(code))
        if entity is None:
            raise NotFoundError("credit_code", "unknown_entity", f"本平台没有统一社会信用代码为 {code} 的市场主体",
                                f"no market entity {code} here")
        return entity.fields.get("name") or entity.fields.get("party_name") or code

    def _granted_lender(self, code: str) -> Lender:
        found = self.ledger.get_or_none(lender_id(code))
        if not isinstance(found, Lender):
            raise NotFoundError("lender_code", "unknown_lender",
                                f"{code} 不是登记的放款机构，不能授权（登记的机构见 /finance/products）",
                                f"{code} is not a registered lender and cannot be given consent")
        return found

    def grant(self, firm: str, data: Any, today: dt.date, submitter: str) -> tuple[str, int]:
        """(consent id, position): the firm lets a registered lender read its fuller report for a purpose and period."""
        fields = consents.check_grant(data, firm, today)
        lender = self._granted_lender(fields["lender_code"])
        name = self._firm_name(firm)
        consent = Consent(credit_code=firm, firm_name=name, lender_code=lender.credit_code, lender_name=lender.name,
                          purpose=fields["purpose"], valid_from=fields["valid_from"],
                          valid_until=fields["valid_until"], on=today.isoformat(), submitter=submitter,
                          application=None)
        return str(consent.id), self._save(lambda: [consent])

    def revoke(self, firm: str, consent_id: str, today: dt.date, submitter: str) -> int:
        cid = as_uuid(consent_id, "consent", "授权标识")

        def command() -> list[Any]:
            consent = self.ledger.get_or_none(cid)
            if not isinstance(consent, Consent):
                raise NotFoundError("consent", "unknown_consent", "没有该授权", "no such consent")
            consent.revoke(firm, today, submitter)
            return [consent]

        return self._save(command)

    def consent(self, consent_id: str) -> Consent | None:
        try:
            found = self.ledger.get_or_none(UUID(str(consent_id).strip()))
        except ValueError:
            return None
        return found if isinstance(found, Consent) else None

    def consents_between(self, lender: str, firm: str) -> list[Consent]:
        """The consents this firm gave this lender, newest first, loaded from the log (the view finds them)."""
        return [c for c in (self.consent(i) for i in lending_queries.consent_ids(self.db, lender, firm)) if c]

    # -- products (the lenders' commands) ------------------------------------------------------------------
    def publish(self, lender: str, data: Any, today: dt.date, submitter: str) -> tuple[str, int, bool]:
        """(product id, position, created): publish a product, or change the one with the same code."""
        product = loans.check_product(data)
        found = self.lender(lender)
        pid = product_id(found.credit_code, product["code"])
        created: list[bool] = []

        def command() -> list[Any]:
            existing = self.ledger.get_or_none(pid)
            if existing is None:
                created.append(True)
                return [LoanProduct(lender_code=found.credit_code, lender_name=found.name, product=product,
                                    on=today.isoformat(), submitter=submitter)]
            existing.change(product, today, submitter)
            return [existing]

        position = self._save(command)
        return str(pid), position, bool(created)

    def withdraw(self, lender: str, product: str, today: dt.date, submitter: str) -> int:
        pid = as_uuid(product, "product_id", "产品标识")

        def command() -> list[Any]:
            found = self.ledger.get_or_none(pid)
            if not isinstance(found, LoanProduct):
                raise NotFoundError("product_id", "unknown_product", "没有该贷款产品", "no such product")
            if found.lender_code != lender:
                raise ForbiddenError("product_id", "other_lender", "这是其他机构的产品", "another lender's product")
            found.withdraw(today, submitter)
            return [found]

        return self._save(command)

    # -- applications ------------------------------------------------------------------------------------
    def eligibility(self, firm: str, moment: Moment) -> list[dict[str, Any]]:
        """Every product on offer with whether the firm is eligible and each condition it does not meet."""
        facts = firm_facts(self.db, self.grading, firm, moment)
        today = dt.date.fromisoformat(moment.today)
        out = []
        for product in lending_queries.products(self.db):
            unmet = loans.reasons(product["eligibility"], facts, today)
            out.append({**product, "eligible": not unmet, "reasons": unmet})
        return out

    def apply(self, firm: str, data: Any, moment: Moment, submitter: str) -> tuple[str, str, int]:
        """(application id, consent id, position): the application and its consent to the product's lender, one save."""
        today = dt.date.fromisoformat(moment.today)
        raw = data.get("product_id") if isinstance(data, dict) else None
        product = self.ledger.get_or_none(as_uuid(raw, "product_id", "产品标识")) if raw else None
        product = product if isinstance(product, LoanProduct) else None
        fields = loans.check_application(data, product, firm_facts(self.db, self.grading, firm, moment), today)
        assert product is not None
        name = self._firm_name(firm)
        terms = rules()["consent"]
        until = add_months(today, terms["application_months"]) - dt.timedelta(days=1)
        reference = uuid4().hex
        consent = Consent(credit_code=firm, firm_name=name, lender_code=product.lender_code,
                          lender_name=product.lender_name, purpose=terms["application_purpose"],
                          valid_from=today.isoformat(), valid_until=until.isoformat(), on=today.isoformat(),
                          submitter=submitter, application=str(application_id(reference)))
        application = LoanApplication(
            credit_code=firm, firm_name=name, product_id=str(product.id), product_code=product.product["code"],
            product_name=product.product["name"], lender_code=product.lender_code, lender_name=product.lender_name,
            amount=fields["amount"], term_months=fields["term_months"], consent_id=str(consent.id),
            reference=reference, on=today.isoformat(), submitter=submitter)
        return str(application.id), str(consent.id), self._save(lambda: [application, consent])

    def decide(self, lender: str, application_id: str, decision: str, amount: Any, note: str | None,
               today: dt.date, submitter: str) -> int:
        aid = as_uuid(application_id, "application", "申请标识")
        value = _amount(amount)

        def command() -> list[Any]:
            found = self.ledger.get_or_none(aid)
            if not isinstance(found, LoanApplication):
                raise NotFoundError("application", "unknown_application", "没有该贷款申请", "no such application")
            found.decide(lender, decision, value, (note or "").strip(), today, submitter)
            return [found]

        return self._save(command)
