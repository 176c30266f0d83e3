"""Credit information from society (社会信用信息): one more use of the case model (domain/cases.py).

A registered contributor (domain/contributors.py) reports a violation or dishonest conduct of a
market entity: what happened, when, the source, evidence, and a category that says which
department verifies it (schemas/contributions.json, department keys of schemas/catalog.json).
Nothing is public before that department decides, within the working-day limit of
schemas/case_limits.json: confirmed, it becomes a `society_info` record (public, marked as
society-sourced, naming the contributor, the confirming department and the day; the entity
objects to it through the ordinary objection flow); refused, it stays in the log with the
reason, for auditors only.

Duplicates: the same contributor reporting the same entity, category, day and source again is
refused while the first report is pending or confirmed (the entity's contribution docket holds
them: confirming does not close the docket entry, refusing does).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate, event
from jsonschema import Draft202012Validator

import schemas
from domain.cases import Actor, Case, CaseStep, CaseSubmitted
from domain.codes import CodeError, normalise, validate_credit_code
from domain.contributors import rules
from domain.errors import CaseForbiddenError, FieldError, ValidationFailed
from domain.publicity import add_months
from domain.validation import form_errors

CONTRIBUTION = "contribution"
SOCIETY_INFO = "society_info"
ORIGIN = "社会来源（非政府部门记录）"


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schemas.load("contribution.json"), format_checker=Draft202012Validator.FORMAT_CHECKER)


def categories() -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in rules()["categories"]}


def check(data: Any, today: dt.date) -> dict[str, Any]:
    """The normalised contribution, or ValidationFailed naming every field at fault (Chinese and English)."""
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError("body", "type", "报送内容应为一个 JSON 对象",
                                           "a contribution is a JSON object")])
    fields = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    if isinstance(fields.get("source"), dict):
        fields["source"] = {k: v.strip() if isinstance(v, str) else v for k, v in fields["source"].items()
                            if v not in (None, "")}
    if isinstance(fields.get("credit_code"), str):
        fields["credit_code"] = normalise(fields["credit_code"])
    errors = form_errors(_validator(), fields)
    if not any(e.field == "credit_code" for e in errors):
        try:
            fields["credit_code"] = validate_credit_code(fields["credit_code"])[0]
        except CodeError as e:
            errors.append(FieldError("credit_code", "credit_code", f"被报送主体的统一社会信用代码：{e.zh}",
                                     f"credit_code: {e.en}"))
    for name, value in (("happened_on", fields.get("happened_on")),
                        ("source.published_on", (fields.get("source") or {}).get("published_on"))):
        if isinstance(value, str) and value > today.isoformat() and not any(e.field == name for e in errors):
            errors.append(FieldError(name, "future_date", f"日期不能晚于今天（{today}）：{name}",
                                     f"{name} cannot be in the future (today is {today})"))
    if errors:
        raise ValidationFailed(errors)
    return fields


def dedupe_key(contributor: str, fields: dict[str, Any]) -> str:
    """What makes a second report the same report: the contributor, the category, the day and the source."""
    source = fields["source"]
    what = "\n".join([contributor, fields["category"], fields["happened_on"], source["type"],
                      " ".join(source["title"].split()), source.get("url", "")])
    return hashlib.sha256(what.encode()).hexdigest()[:32]


def docket_key(credit_code: str) -> str:
    """The docket listing an entity's pending and confirmed contributions."""
    return f"{CONTRIBUTION}:{credit_code}"


def society_fields(case: ContributionCase, authority: str, note: str, today: dt.date) -> dict[str, Any]:
    """The public record a confirmation makes: the report, its provenance, and the end of its publicity."""
    source = case.source
    types = rules()
    fields = {
        "party_name": case.party_name, "credit_code": case.credit_code, "document_number": case.number,
        "origin": ORIGIN, "category": case.category, "category_label": categories()[case.category]["zh"],
        "summary": case.statement, "happened_on": case.happened_on,
        "source_type": types["source_types"][source["type"]]["zh"], "source_title": source["title"],
        "source_url": source.get("url"), "source_published_on": source.get("published_on"),
        "contributor_name": case.contributor_name, "contributor_code": case.contributor_code,
        "contributor_type": types["contributor_types"][case.contributor_type]["zh"],
        "contributed_on": case.steps[0]["on"], "decision_date": today.isoformat(),
        "public_until": add_months(today, types["public_months"]).isoformat(),
        "authority": authority, "authority_code": case.department, "verification": note or None,
        "source_unit_code": case.department,
    }
    return {k: v for k, v in fields.items() if v is not None}


class ContributionCase(Case):
    """One contributor's report about one entity, verified by the department its category names."""

    TOPIC = "gongshi:ContributionCase"
    kind: ClassVar[str] = CONTRIBUTION

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:ContributionCase.Created"

    class Submitted(CaseSubmitted):
        TOPIC = "gongshi:ContributionCase.Submitted"
        contributor_code: str
        contributor_name: str
        contributor_type: str
        category: str
        happened_on: str
        source: dict[str, str]

    @event(Submitted)
    def __init__(self, number, record_id, record_kind, document_number, credit_code, party_name,  # noqa: PLR0913
                 department, statement, materials, limits, on, submitter, subject_type, contributor_code,
                 contributor_name, contributor_type, category, happened_on, source):
        self._start(number, record_id, record_kind, document_number, credit_code, party_name, department,
                    statement, materials, limits, on, submitter, subject_type)
        self.contributor_code = contributor_code
        self.contributor_name = contributor_name
        self.contributor_type = contributor_type
        self.category = category
        self.happened_on = happened_on
        self.source = source
        self.dedupe = dedupe_key(contributor_code, {"category": category, "happened_on": happened_on,
                                                    "source": source})

    @property
    def docket_key(self) -> str:
        return docket_key(self.credit_code)

    @property
    def docket_item(self) -> str:
        return self.dedupe

    def may_be_seen_by(self, actor: Actor) -> None:
        """The verifying department and the contributor see it; not the entity (nothing is public before review)."""
        if (actor.department and actor.department == self.department) or actor.contributor == self.contributor_code:
            return
        raise CaseForbiddenError("case", "not_your_case", f"无权查看案件 {self.number}",
                                 f"you may not see case {self.number}")

    class Confirmed(CaseStep):
        """Verified: the society-sourced record `record_id` is made in the same transaction."""

        TOPIC = "gongshi:ContributionCase.Confirmed"
        status = "confirmed"
        record_id: str

        def apply(self, case: ContributionCase) -> None:
            super().apply(case)
            case.record_id = self.record_id
            case.record_kind = SOCIETY_INFO

    class Refused(CaseStep):
        TOPIC = "gongshi:ContributionCase.Refused"
        status = "refused"
