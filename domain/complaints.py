"""Complaints and reports (投诉举报): one more use of the case model (domain/cases.py).

Anyone files a complaint (投诉: a harm to oneself; it needs a contact to answer) or a report
(举报: a violation; it may be anonymous) about a subject (a market entity, a credit-service
agency, a product batch by its traceability code; online shops once that registry exists), in a category that
says which department handles it (schemas/complaints.json). The department acknowledges it,
decides whether to accept it, transfers it with a reason when it was routed wrongly (the clock
starts again at the new department), extends once, and concludes with an outcome, or flags a
malicious report. The contact details are the handling department's only: they never reach a
read model the public can see.

Duplicates: an open case with the same subject, category, filer and facts is returned instead
of opening another (the subject's docket holds the open ones, so two racing filings conflict).
"""
from __future__ import annotations

import hashlib
import re
from functools import cache
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate, event

import schemas
from domain.cases import Actor, Case, CaseStep, CaseSubmitted, require_text
from domain.codes import CodeError, normalise, validate_credit_code
from domain import online, trace_codes
from domain.errors import CaseForbiddenError, FieldError, InputError, ValidationFailed

COMPLAINT_CASE = "complaint"
TRACE_CODE = "trace_code"  # a complaint about a product batch: its subject key is the traceability code
SHOP = "shop"  # a complaint about an online shop or website: its subject key is the mark id shown on its badge
_PRESENCE_KEY = re.compile(r"^(shop|site):[\w.:-]{3,300}$")
COMPLAINT, REPORT = "complaint", "report"
_PHONE = re.compile(r"^[0-9+\- ]{5,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@cache
def rules() -> dict[str, Any]:
    return schemas.load("complaints.json")


def categories() -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in rules()["categories"]}


def subject_key(subject_type: str, key: str) -> str:
    """The docket of a subject: one per entity, agency, shop or code."""
    return f"{subject_type}:{key}"


def dedupe_key(category: str, contact: dict[str, str] | None, facts: str) -> str:
    """What makes a second filing the same case: category, the filer (or anonymity), the facts."""
    who = (contact or {}).get("phone") or (contact or {}).get("email") or "anonymous"
    return hashlib.sha256(f"{category}\n{who}\n{' '.join(facts.split())}".encode()).hexdigest()[:32]


def check_filing(data: dict[str, Any]) -> dict[str, Any]:
    """The normalised filing, or ValidationFailed naming every field at fault (Chinese and English)."""
    errors: list[FieldError] = []
    kind = data.get("kind") or COMPLAINT
    if kind not in rules()["kinds"]:
        errors.append(FieldError("kind", "enum", "类型应为 complaint（投诉）或 report（举报）",
                                 "kind must be complaint or report"))
    category = categories().get(str(data.get("category") or ""))
    if category is None:
        known = "、".join(f"{c['id']}（{c['zh']}）" for c in categories().values())
        errors.append(FieldError("category", "enum", f"请选择投诉举报类别：{known}",
                                 f"category must be one of {', '.join(categories())}"))
    subject_type = str(data.get("subject_type") or "entity")
    subjects = rules()["subjects"]
    if subject_type not in subjects:
        errors.append(FieldError("subject_type", "enum", f"未知的投诉举报对象类型：{subject_type}",
                                 f"unknown subject type {subject_type!r}"))
    elif not subjects[subject_type]["active"]:
        errors.append(FieldError("subject_type", "not_available",
                                 f"暂不能针对{subjects[subject_type]['zh']}投诉举报：{subjects[subject_type]['note']}",
                                 f"{subjects[subject_type]['en']} cannot be the subject yet"))
    elif category is not None and subject_type not in category["subjects"]:
        errors.append(FieldError("subject_type", "not_for_category",
                                 f"“{category['zh']}”类投诉举报不能针对{subjects[subject_type]['zh']}",
                                 f"a {category['id']} complaint cannot be about a {subject_type}"))
    key = normalise(str(data.get("subject_key") or ""))
    if subject_type == TRACE_CODE:
        try:
            key = trace_codes.parse(data.get("subject_key"), "subject_key")
        except ValidationFailed as e:
            errors += e.errors
    elif subject_type == SHOP:
        raw = str(data.get("subject_key") or "").strip()
        key = raw.upper() if raw.upper().startswith("LZ") else raw
        if not (online.MARK_ID.match(key) or _PRESENCE_KEY.match(key)):
            errors.append(FieldError("subject_key", "mark_id", "请填写网店的亮照标识编号（LZ 开头，见网店页面上的亮照标识）",
                                     "give the shop's mark id (LZ..., on the shop's licence badge)"))
    else:
        try:
            key = validate_credit_code(key)[0]
        except CodeError as e:
            errors.append(FieldError("subject_key", "credit_code", f"请填写被投诉举报对象的统一社会信用代码：{e.zh}",
                                     f"the subject's unified social credit code is required: {e.en}"))
    try:
        facts = require_text(data.get("facts"), "facts", "投诉举报的事实和理由", "the facts")
    except InputError as e:
        errors += e.errors
        facts = ""
    anonymous = bool(data.get("anonymous"))
    contact = _contact(data.get("contact"), errors)
    if kind == COMPLAINT and (anonymous or contact is None):
        errors.append(FieldError("contact", "required", "投诉须留下姓名和联系电话（或电子邮箱）以便答复；不留联系方式的请选择“举报”",
                                 "a complaint needs a name and a phone or e-mail to be answered; file a report to "
                                 "stay anonymous"))
    if anonymous:
        contact = None
    if errors:
        raise ValidationFailed(errors)
    return {"complaint_kind": kind, "category": category["id"], "subject_type": subject_type, "subject_key": key,
            "facts": facts, "contact": contact, "anonymous": contact is None}


def _contact(raw: Any, errors: list[FieldError]) -> dict[str, str] | None:
    if not raw:
        return None
    if not isinstance(raw, dict):
        errors.append(FieldError("contact", "type", "联系方式格式不正确", "contact must be an object"))
        return None
    contact = {k: str(raw[k]).strip()[:200] for k in rules()["contact_fields"] if str(raw.get(k) or "").strip()}
    if not contact:
        return None
    if "name" not in contact:
        errors.append(FieldError("contact.name", "required", "请填写联系人姓名", "contact.name is required"))
    if "phone" not in contact and "email" not in contact:
        errors.append(FieldError("contact.phone", "required", "请填写联系电话或电子邮箱", "a phone or an e-mail is required"))
    if "phone" in contact and not _PHONE.match(contact["phone"]):
        errors.append(FieldError("contact.phone", "pattern", "联系电话格式不正确", "contact.phone is not a phone number"))
    if "email" in contact and not _EMAIL.match(contact["email"]):
        errors.append(FieldError("contact.email", "pattern", "电子邮箱格式不正确", "contact.email is not an e-mail"))
    return contact


def check_outcome(outcome: str | None) -> str:
    if outcome not in rules()["outcomes"]:
        raise InputError("outcome", "enum", f"办结结果应为：{'、'.join(o['zh'] for o in rules()['outcomes'].values())}",
                         f"outcome must be one of {', '.join(rules()['outcomes'])}")
    return outcome


class ComplaintCase(Case):
    """One complaint or report about one subject, handled by one department at a time."""

    TOPIC = "gongshi:ComplaintCase"
    kind: ClassVar[str] = COMPLAINT_CASE

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:ComplaintCase.Created"

    class Submitted(CaseSubmitted):
        TOPIC = "gongshi:ComplaintCase.Submitted"
        complaint_kind: str
        category: str
        subject_key: str
        contact: dict[str, str] | None
        anonymous: bool

    @event(Submitted)
    def __init__(self, number, record_id, record_kind, document_number, credit_code, party_name,  # noqa: PLR0913
                 department, statement, materials, limits, on, submitter, subject_type, complaint_kind, category,
                 subject_key, contact, anonymous):
        self._start(number, record_id, record_kind, document_number, credit_code, party_name, department,
                    statement, materials, limits, on, submitter, subject_type)
        self.complaint_kind = complaint_kind
        self.category = category
        self.subject_key = subject_key
        self.contact = contact
        self.anonymous = anonymous
        self.outcome: str | None = None
        self.transfers: list[dict[str, str]] = []
        self.dedupe = dedupe_key(category, contact, statement)

    @property
    def docket_key(self) -> str:
        return subject_key(self.subject_type, self.subject_key)

    @property
    def docket_item(self) -> str:
        return self.dedupe

    def may_be_seen_by(self, actor: Actor) -> None:
        """Only the handling department sees a complaint in full (the subject must not learn who filed it)."""
        if actor.department and actor.department == self.department:
            return
        raise CaseForbiddenError("case", "not_your_case", f"无权查看案件 {self.number}",
                                 f"you may not see case {self.number}")

    class Acknowledged(CaseStep):
        TOPIC = "gongshi:ComplaintCase.Acknowledged"
        status = "acknowledged"

    class Accepted(CaseStep):
        TOPIC = "gongshi:ComplaintCase.Accepted"
        status = "accepted"

    class NotAccepted(CaseStep):
        TOPIC = "gongshi:ComplaintCase.NotAccepted"
        status = "not_accepted"

    class Transferred(CaseStep):
        """Routed wrongly: the case moves to another department, whose clock starts again."""

        TOPIC = "gongshi:ComplaintCase.Transferred"
        status = "submitted"
        to_department: str

        def apply(self, case: ComplaintCase) -> None:
            super().apply(case)
            case.transfers = [*case.transfers, {"from": case.department, "to": self.to_department, "on": self.on}]
            case.department = self.to_department

    class Extended(CaseStep):
        TOPIC = "gongshi:ComplaintCase.Extended"
        status = "extended"

    class Concluded(CaseStep):
        TOPIC = "gongshi:ComplaintCase.Concluded"
        status = "concluded"
        outcome: str

        def apply(self, case: ComplaintCase) -> None:
            super().apply(case)
            case.outcome = self.outcome

    class MarkedMalicious(CaseStep):
        TOPIC = "gongshi:ComplaintCase.MarkedMalicious"
        status = "malicious"
