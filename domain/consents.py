"""Consents (信用信息查询授权) and lenders' reads: a firm lets a named lender read its fuller report, for a while.

A firm grants a registered lender consent for one purpose and a period of at most
`consent.max_months` (schemas/lending.json, [U] a year); it may revoke it at any time. Grant and
revocation are events of one `Consent` aggregate (a random id: a firm may grant the same lender
again for another purpose or period). A consent is in force on a day when that day is inside
its period and it was not revoked before.

Every read a lender asks for is a `LenderRead` fact in the log, recorded before the answer:
served, with the consent it relied on, or refused, with why (no consent, expired, revoked, not yet
in force, a consent of another firm). The firm sees both on /firm/consents.
"""
from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, FieldError, ForbiddenError, ValidationFailed
from domain.lenders import checked, credit_code, rules
from domain.publicity import add_months

GRANTED, REVOKED, EXPIRED, PENDING = "granted", "revoked", "expired", "pending"
SERVED, REFUSED = "served", "refused"
#: why a read was refused -> (Chinese, English)
REFUSALS = {
    "no_consent": ("该企业未授权本机构查询其信用报告", "the firm has not given this lender consent"),
    "expired": ("该企业对本机构的授权已过期", "the firm's consent to this lender has expired"),
    "revoked": ("该企业已撤销对本机构的授权", "the firm revoked its consent to this lender"),
    "not_yet": ("该企业对本机构的授权尚未生效", "the firm's consent to this lender is not in force yet"),
    "other_firm": ("所引用的授权不是该企业给出的", "the consent cited was given by another firm"),
    "other_lender": ("所引用的授权不是给本机构的", "the consent cited was given to another lender"),
}


def purposes() -> dict[str, dict[str, str]]:
    return {p["id"]: p for p in rules()["consent"]["purposes"]}


def max_until(valid_from: dt.date) -> dt.date:
    """The last day a consent starting on `valid_from` may run to: the day before `max_months` later."""
    return add_months(valid_from, rules()["consent"]["max_months"]) - dt.timedelta(days=1)


def check_grant(data: Any, firm: str, today: dt.date) -> dict[str, Any]:
    """The normalised consent (credit_code, lender_code, purpose, valid_from, valid_until), or every fault named."""
    fields = checked("consent", data, "授权")
    errors: list[FieldError] = []
    code = fields.get("credit_code") or firm
    try:
        code = credit_code(code, "credit_code", "授权企业统一社会信用代码")
    except ValidationFailed as e:
        errors += e.errors
    if not errors and code != firm:
        raise ForbiddenError("credit_code", "other_firm", f"只能为本企业（{firm}）授权，不能为 {code} 授权",
                             f"a firm grants consent for itself ({firm}) only, not for {code}")
    try:
        fields["lender_code"] = credit_code(fields["lender_code"], "lender_code", "被授权放款机构统一社会信用代码")
    except ValidationFailed as e:
        errors += e.errors
    start = dt.date.fromisoformat(fields.get("valid_from") or today.isoformat())
    until = dt.date.fromisoformat(fields["valid_until"])
    ahead = rules()["consent"]["max_start_ahead_days"]
    if start < today:
        errors.append(FieldError("valid_from", "past", f"授权生效日期（valid_from）不能早于今天（{today}）",
                                 f"valid_from cannot be before today ({today})"))
    elif start > today + dt.timedelta(days=ahead):
        errors.append(FieldError("valid_from", "too_far", f"授权生效日期（valid_from）最晚为 {ahead} 天后",
                                 f"valid_from may be at most {ahead} days ahead"))
    months = rules()["consent"]["max_months"]
    if until < start:
        errors.append(FieldError("valid_until", "before_start", "授权截止日期（valid_until）不能早于生效日期",
                                 "valid_until cannot be before valid_from"))
    elif until > max_until(start):
        errors.append(FieldError("valid_until", "too_long",
                                 f"授权期限最长 {months} 个月：截止日期（valid_until）最晚为 {max_until(start)}",
                                 f"a consent runs at most {months} months: valid_until may be {max_until(start)} "
                                 "at the latest"))
    if errors:
        raise ValidationFailed(errors)
    return {"credit_code": code, "lender_code": fields["lender_code"], "purpose": fields["purpose"],
            "valid_from": start.isoformat(), "valid_until": until.isoformat()}


def status_of(valid_from: str, valid_until: str, revoked_on: str | None, today: dt.date | str) -> str:
    """granted (in force), pending (starts later), expired (its last day passed) or revoked, on `today`."""
    day = today if isinstance(today, str) else today.isoformat()
    if revoked_on is not None and revoked_on <= day:
        return REVOKED
    if day < valid_from:
        return PENDING
    return EXPIRED if day > valid_until else GRANTED


class Consent(Aggregate):
    """One consent of a firm to a lender: purpose, period, and its revocation if any."""

    TOPIC = "gongshi:Consent"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:Consent.Created"

    class Granted(Aggregate.Created):
        TOPIC = "gongshi:Consent.Granted"
        credit_code: str
        firm_name: str
        lender_code: str
        lender_name: str
        purpose: str
        valid_from: str
        valid_until: str
        on: str
        submitter: str
        application: str | None  # the loan application it came with, if any

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @event(Granted)
    def __init__(self, credit_code, firm_name, lender_code, lender_name, purpose, valid_from,
                 valid_until, on, submitter, application):
        self.credit_code, self.firm_name = credit_code, firm_name
        self.lender_code, self.lender_name = lender_code, lender_name
        self.purpose, self.valid_from, self.valid_until = purpose, valid_from, valid_until
        self.application = application
        self.revoked_on: str | None = None

    class Revoked(Aggregate.Event):
        TOPIC = "gongshi:Consent.Revoked"
        on: str
        submitter: str

        def apply(self, consent: Consent) -> None:
            consent.revoked_on = self.on

    def status(self, today: dt.date | str) -> str:
        return status_of(self.valid_from, self.valid_until, self.revoked_on, today)

    def revoke(self, firm: str, today: dt.date, submitter: str) -> None:
        if firm != self.credit_code:
            raise ForbiddenError("consent", "not_yours", "这不是本企业给出的授权", "this consent was not given by this firm")
        if self.revoked_on is not None:
            raise ConflictError("consent", "already_revoked", f"该授权已于 {self.revoked_on} 撤销",
                                f"this consent was revoked on {self.revoked_on}")
        if self.status(today) == EXPIRED:
            raise ConflictError("consent", "expired", f"该授权已于 {self.valid_until} 到期，无需撤销",
                                f"this consent expired on {self.valid_until}")
        self.trigger_event(self.Revoked, on=today.isoformat(), submitter=submitter)

    def refusal(self, lender: str, firm: str, today: dt.date) -> str | None:
        """Why this consent does not let `lender` read `firm`'s report today (a REFUSALS key), or None."""
        if self.credit_code != firm:
            return "other_firm"
        if self.lender_code != lender:
            return "other_lender"
        status = self.status(today)
        return {REVOKED: "revoked", EXPIRED: "expired", PENDING: "not_yet"}.get(status)

    def as_dict(self, today: dt.date) -> dict[str, Any]:
        return {"consent_id": str(self.id), "credit_code": self.credit_code, "firm_name": self.firm_name,
                "lender_code": self.lender_code, "lender_name": self.lender_name, "purpose": self.purpose,
                "valid_from": self.valid_from, "valid_until": self.valid_until, "revoked_on": self.revoked_on,
                "application": self.application, "status": self.status(today)}


def refused(reason: str) -> ForbiddenError:
    """The 403 a lender gets: no report, only why (the field is `consent`)."""
    zh, en = REFUSALS[reason]
    return ForbiddenError("consent", reason, f"{zh}，不能查阅（本次查询已记录，企业可见）",
                          f"{en}: nothing is disclosed (this attempt is recorded and the firm sees it)")


class LenderRead(Aggregate):
    """One lender's request for a firm's fuller report: served with the consent it relied on, or refused."""

    TOPIC = "gongshi:LenderRead"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:LenderRead.Created"

    class Recorded(Aggregate.Created):
        TOPIC = "gongshi:LenderRead.Recorded"
        lender_code: str
        lender_name: str
        reader: str  # the token or session identity
        credit_code: str
        consent_id: str | None
        outcome: str  # served | refused
        reason: str | None  # a REFUSALS key when refused
        moment: dict[str, Any]
        gist: dict[str, Any]  # what was read: the parts and their counts, the content digest

    @staticmethod
    def create_id() -> UUID:
        return uuid4()  # reads are not idempotent facts

    @event(Recorded)
    def __init__(self, lender_code, lender_name, reader, credit_code, consent_id, outcome, reason,
                 moment, gist):
        self.lender_code, self.lender_name, self.reader = lender_code, lender_name, reader
        self.credit_code, self.consent_id = credit_code, consent_id
        self.outcome, self.reason, self.moment, self.gist = outcome, reason, moment, gist
