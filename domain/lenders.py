"""Lenders (放款机构) of 信易贷: financial institutions registered by the credit office, bound to their credit code.

A bank, a rural bank, a microcredit company or a guarantee institution is registered by the city's
credit office (the department `approved_by` in schemas/lending.json), like a contributor of
society-sourced information: an event in the log bound to its own credit code. Its account (the same
kind as a firm's) and its tokens (role `lender`) act as the institution and nothing else: a lender is
no staff role and never acts as the firm it is (it cannot check, grade, submit or audit). What it may
read about a firm rests on that firm's consent (domain/consents.py).
"""
from __future__ import annotations

from functools import cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from jsonschema import Draft202012Validator

import schemas
from domain.codes import CodeError, normalise, validate_credit_code
from domain.errors import FieldError, InputError, ValidationFailed
from domain.validation import form_errors


@cache
def rules() -> dict[str, Any]:
    """schemas/lending.json: institution types, the consent rules, the lender report, the product limits."""
    return schemas.load("lending.json")


@cache
def validator(name: str) -> Draft202012Validator:
    """The JSON Schema of schemas/lending/{name}.json (consent, product, application)."""
    return Draft202012Validator(schemas.load(f"lending/{name}.json"), format_checker=Draft202012Validator.FORMAT_CHECKER)


def checked(name: str, data: Any, what_zh: str) -> dict[str, Any]:
    """`data` trimmed and valid against schemas/lending/{name}.json, or ValidationFailed naming each field by path."""
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError("body", "type", f"{what_zh}应为一个 JSON 对象", "the body must be a JSON object")])
    fields = {k: v.strip() if isinstance(v, str) else v for k, v in data.items() if v not in (None, "")}
    errors = form_errors(validator(name), fields)
    if errors:
        raise ValidationFailed(errors)
    return fields


def credit_code(raw: Any, field: str, title: str) -> str:
    """A normalised, valid credit code, or a 422 naming `field` in Chinese and English."""
    try:
        return validate_credit_code(normalise(str(raw or "")))[0]
    except CodeError as e:
        raise InputError(field, "credit_code", f"{title}无效：{e.zh}", f"{field}: {e.en}") from None


def lender_id(code: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"/lenders/{code}")


def check_type(institution_type: str) -> str:
    types = rules()["institution_types"]
    if institution_type not in types:
        known = "、".join(f"{k}（{v['zh']}）" for k, v in types.items())
        raise InputError("institution_type", "enum", f"机构类型应为：{known}",
                         f"institution_type must be one of {', '.join(types)}")
    return institution_type


class Lender(Aggregate):
    """One registered financial institution."""

    TOPIC = "gongshi:Lender"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:Lender.Created"

    class Registered(Aggregate.Created):
        TOPIC = "gongshi:Lender.Registered"
        credit_code: str
        name: str
        institution_type: str
        approved_by: str
        on: str
        submitter: str

    @staticmethod
    def create_id(credit_code: str) -> UUID:
        return lender_id(credit_code)

    @event(Registered)
    def __init__(self, credit_code, name, institution_type, approved_by, on, submitter):
        self.credit_code = credit_code
        self.name = name
        self.institution_type = institution_type
        self.approved_by = approved_by
        self.on = on

    @property
    def label(self) -> str:
        return rules()["institution_types"][self.institution_type]["zh"]
