"""Annual reports (企业年度报告): one aggregate per entity and year, filed once, revised within the window.

The rules are data in schemas/annual_report_rules.json (the filing window, how many past
years may still be filed late, which form a credit code files) and the forms are JSON
Schemas in schemas/annual_reports/ (the same file validates the web form, the API and the
bulk import). What the public sees of a report is decided here (`public_view`): never the
contact phone or a natural person's ID number, and of the items the firm may choose to
publish (financial items, headcount, guarantees) only the ones it chose.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from jsonschema import Draft202012Validator

import schemas
from domain import flat_forms
from domain.errors import ConflictError, FieldError, ForbiddenError, InputError, ValidationFailed
from domain.records import digest
from domain.validation import form_errors

ONLINE, PAPER = "online", "paper"
CHANNELS = (ONLINE, PAPER)


def report_id(credit_code: str, year: int) -> UUID:
    """Natural-key id of an annual report: (credit code, report year)."""
    return uuid5(NAMESPACE_URL, f"/annual-reports/{credit_code}/{year}")


@cache
def rules() -> dict[str, Any]:
    return schemas.load("annual_report_rules.json")


@cache
def form_schema(form: str) -> dict[str, Any]:
    return schemas.load(rules()["forms"][form]["schema"])


@cache
def _validator(form: str) -> Draft202012Validator:
    return Draft202012Validator(form_schema(form), format_checker=Draft202012Validator.FORMAT_CHECKER)


def form_for(credit_code: str) -> str:
    """The form a credit code files: 个体工商户 (92…) and 农民专业合作社 (93…) have shorter ones."""
    for form, spec in rules()["forms"].items():
        if any(credit_code.startswith(p) for p in spec.get("credit_code_prefixes", ())):
            return form
    return rules()["default_form"]


# -- the window ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    """The filing window of one report year: from `opens` to `closes` of the next year, both inclusive."""

    year: int
    opens: dt.date
    closes: dt.date

    @classmethod
    def of(cls, year: int) -> Window:
        spec = rules()["window"]
        month_day = [tuple(map(int, spec[k].split("-"))) for k in ("opens", "closes")]
        return cls(year, dt.date(year + 1, *month_day[0]), dt.date(year + 1, *month_day[1]))

    def is_open(self, day: dt.date) -> bool:
        return self.opens <= day <= self.closes


def deadline(year: int) -> dt.date:
    """The last day to file the report of `year` on time (30 June of the next year)."""
    return Window.of(year).closes


def filing_errors(year: int, today: dt.date) -> list[FieldError]:
    """Why the report of `year` cannot be filed today (empty: it can, on time or late)."""
    window = Window.of(year)
    if today < window.opens:
        return [FieldError("year", "year_not_ended", f"{year}年度尚未结束，{window.opens}起才能报送该年度年报",
                           f"the year {year} has not ended; its report can be filed from {window.opens}")]
    oldest = today.year - 1 - rules()["late_filing_years"]
    if year <= oldest:
        return [FieldError("year", "outside_window",
                           f"{year}年度年报已超出可补报的年限（可补报{oldest + 1}年度及以后的年报）",
                           f"the report of {year} can no longer be filed (late filing reaches back to {oldest + 1})")]
    return []


# -- checking a form -------------------------------------------------------------------------------------
def check(data: Any) -> tuple[str, dict[str, Any]]:
    """(form, fields) of a submitted report, or ValidationFailed naming every field at fault.

    Amounts are read as decimals (never floats); the form follows from the credit code.
    """
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError("", "type", "年度报告应为一个 JSON 对象", "an annual report must be a JSON object")])
    code = data.get("credit_code")
    if not isinstance(code, str) or len(code) != 18:
        raise ValidationFailed([FieldError("credit_code", "required", "缺少统一社会信用代码（credit_code），应为18位",
                                           "credit_code (18 characters) is required")])
    form = form_for(code)
    fields = _decimals(data)
    errors = form_errors(_validator(form), fields) + _rule_errors(fields)
    if errors:
        raise ValidationFailed(errors)
    return form, fields


def _decimals(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return value


def _rule_errors(fields: dict[str, Any]) -> list[FieldError]:
    """The rules across fields; each compares only values of the right type (the schema reports the others)."""
    errors = []
    for i, c in enumerate(_list(fields, "contributions")):
        if _amount(c.get("paid_in")) and _amount(c.get("subscribed")) and c["paid_in"] > c["subscribed"]:
            errors.append(FieldError(f"contributions[{i}].paid_in", "paid_in_above_subscribed",
                                     f"第{i + 1}位股东的实缴出资额（{c['paid_in']}万元）不能大于认缴出资额（{c['subscribed']}万元）",
                                     f"contribution {i + 1}: paid-in capital {c['paid_in']} exceeds subscribed {c['subscribed']}"))
    if fields.get("online_shops") and not fields.get("has_website"):
        errors.append(FieldError("has_website", "shops_without_website", "填写了网站或网店信息，“是否有网站或网店”应为“是”",
                                 "online shops are listed, so has_website must be true"))
    for i, g in enumerate(_list(fields, "guarantees")):
        if isinstance(g.get("period_from"), str) and isinstance(g.get("period_to"), str) \
                and g["period_to"] < g["period_from"]:
            errors.append(FieldError(f"guarantees[{i}].period_to", "period_reversed", "履行债务期限的止日早于起日",
                                     f"guarantee {i + 1}: the period ends before it starts"))
    return errors


def _list(fields: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = fields.get(name)
    return [v if isinstance(v, dict) else {} for v in value] if isinstance(value, list) else []


def _amount(value: Any) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


# -- flat forms: HTML forms and CSV columns ---------------------------------------------------------------
def unflatten(form: str, flat: dict[str, Any]) -> dict[str, Any]:
    """A report from flat names (`financials.revenue`, `contributions.0.paid_in`), typed by the form's schema
    (domain/flat_forms.py: blank values and rows left out, unconvertible values passed on for the schema to name)."""
    return flat_forms.unflatten(form_schema(form)["properties"], flat)


# -- what the public sees -----------------------------------------------------------------------------------
def _choosable(form: str) -> tuple[str, ...]:
    return tuple(form_schema(form)["properties"]["public_items"]["items"]["enum"])


def public_view(form: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The public part of a report: private fields dropped at every depth, unchosen items withheld."""
    chosen = set(fields.get("public_items", ()))
    withheld = set(_choosable(form)) - chosen
    props = form_schema(form)["properties"]
    out = _public(props, fields)
    out.pop("public_items", None)
    if "financials" in out:
        out["financials"] = {k: v for k, v in out["financials"].items() if k not in withheld}
    for name in withheld & set(out):
        out.pop(name)
    out["withheld"] = sorted(withheld & (set(fields) | set(fields.get("financials", {}))))
    return out


def _public(props: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, v in value.items():
        prop = props.get(name, {})
        if prop.get("x-public") is False:
            continue
        if prop.get("type") == "object" and isinstance(v, dict):
            v = _public(prop.get("properties", {}), v)
        elif prop.get("type") == "array" and isinstance(v, list) and prop.get("items", {}).get("type") == "object":
            v = [_public(prop["items"].get("properties", {}), item) for item in v]
        elif prop.get("type") == "number":
            v = str(v)  # amounts are decimals, written as text so that no reader turns them into floats
        out[name] = v
    return out


# -- the aggregate ----------------------------------------------------------------------------------------------
class AnnualReport(Aggregate):
    """One entity's report for one year: filed (online by the firm, or on paper through a department), revised."""

    TOPIC = "gongshi:AnnualReport"

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:AnnualReport.Created"

    class Filed(Aggregate.Created):
        TOPIC = "gongshi:AnnualReport.Filed"
        credit_code: str
        year: int
        form: str
        fields: dict[str, Any]
        filed_on: str
        late: bool
        channel: str
        department: str | None
        submitter: str
        digest: str

    @staticmethod
    def create_id(credit_code: str, year: int) -> UUID:
        return report_id(credit_code, year)

    @event(Filed)
    def __init__(self, credit_code, year, form, fields, filed_on, late, channel, department, submitter,  # noqa: PLR0913
                 digest):
        self.credit_code = credit_code
        self.year = year
        self.form = form
        self.fields = fields
        self.filed_on = filed_on
        self.late = late
        self.revised_on: str | None = None
        self.digests = [digest]

    class Revised(Aggregate.Event):
        TOPIC = "gongshi:AnnualReport.Revised"
        fields: dict[str, Any]
        revised_on: str
        channel: str
        department: str | None
        submitter: str
        digest: str

        def apply(self, report: AnnualReport) -> None:
            report.fields = self.fields
            report.revised_on = self.revised_on
            report.digests.append(self.digest)

    @property
    def revision(self) -> int:
        """0 for the report as filed, 1 after the first revision…"""
        return len(self.digests) - 1

    def is_version(self, fields: dict[str, Any]) -> bool:
        """This exact content was filed or is a revision of this report."""
        return digest(fields) in self.digests

    def revise(self, fields: dict[str, Any], on: dt.date, channel: str, department: str | None,
               submitter: str) -> bool:
        """A new version within the window; False when this exact content is already a version."""
        window = Window.of(self.year)
        if not window.is_open(on):
            raise ConflictError("year", "revision_window_closed",
                                f"{self.year}年度年报只能在报送期内（{window.opens}至{window.closes}）修改",
                                f"the {self.year} report can only be revised within its window "
                                f"({window.opens} to {window.closes})")
        content = digest(fields)
        if content in self.digests:
            return False
        self.trigger_event(self.Revised, fields=fields, revised_on=on.isoformat(), channel=channel,
                           department=department, submitter=submitter, digest=content)
        return True


@dataclass(frozen=True)
class Filing:
    """Who files: a firm for its own code (online), or a department for a paper report (with its date)."""

    submitter: str
    channel: str
    credit_code: str | None = None  # a firm: the only code it may file for
    department: str | None = None  # a department filing a paper report
    dated: bool = False  # the filer states the day (history loaded by `gongshi demo`); a department always may

    @property
    def states_day(self) -> bool:
        return self.dated or self.department is not None

    def refuse_other_entity(self, credit_code: str) -> None:
        if self.credit_code is not None and self.credit_code != credit_code:
            raise ForbiddenError("credit_code", "other_entity", "只能报送本企业的年度报告（统一社会信用代码与登录账户不符）",
                                 "a firm may only file its own annual report (credit_code differs from the account's)")


def file(existing: AnnualReport | None, form: str, fields: dict[str, Any], filing: Filing, on: dt.date,
         today: dt.date) -> AnnualReport:
    """A new report (`existing` None), or ConflictError: a second filing for a year is a revision, said so."""
    year, code = fields["year"], fields["credit_code"]
    filing.refuse_other_entity(code)
    if on > today:
        raise InputError("filed_on", "future", "报送日期不能晚于今天", "the filing date cannot be after today")
    errors = filing_errors(year, on)
    if errors:
        raise ValidationFailed(errors)
    if existing is not None:
        raise ConflictError("year", "already_filed",
                            f"{year}年度年报已于{existing.filed_on}报送；如需修改，请使用“修改年报”（revise）",
                            f"the {year} report was filed on {existing.filed_on}; to change it, revise it")
    return AnnualReport(credit_code=code, year=year, form=form, fields=fields, filed_on=on.isoformat(),
                        late=on > deadline(year), channel=filing.channel, department=filing.department,
                        submitter=filing.submitter, digest=digest(fields))
