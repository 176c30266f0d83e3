"""Data-quality flags (数据质量反馈): anyone points at a problem in a public record; its source department answers.

One more use of the case model: the case is about the record, decided by the department that is the record's
source (the catalog's one source), within a working-day limit [U] (schemas/case_limits.json `quality_flag`).
The answers are the workflow's steps: corrected (the department has corrected the record through the ordinary
correction), confirmed correct (with its reason), or passed to the objection procedure (only when the firm the
record is about raised the flag: an objection is its right, not the public's). The flagger's identity and any
contact stay in the case, which only the source department reads; the public sees that a flag is open on the
record ("数据质量反馈处理中") and the case's status by number, nothing else.
"""
from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate, event

import schemas
from domain.cases import Actor, Case, CaseStep, CaseSubmitted
from domain.errors import CaseForbiddenError, ConflictError, FieldError, ValidationFailed

QUALITY_FLAG = "quality_flag"
PUBLIC, FIRM, DEPARTMENT = "public", "firm", "department"


@cache
def rules() -> dict[str, Any]:
    return schemas.load("quality.json")


def check_flag(data: Any) -> dict[str, Any]:
    """(record_id, problem, note) trimmed, or every error by field, Chinese and English."""
    if not isinstance(data, dict):
        raise ValidationFailed([FieldError("body", "type", "数据质量反馈应为一个 JSON 对象", "the body must be a JSON object")])
    errors = []
    record_id = str(data.get("record_id") or "").strip()
    if not record_id:
        errors.append(FieldError("record_id", "required", "请指明有问题的信用信息（record_id）", "record_id is required"))
    problem = str(data.get("problem") or "")
    if problem not in rules()["problems"]:
        errors.append(FieldError("problem", "enum", f"问题类型应为：{'、'.join(rules()['problems'])}",
                                 f"problem must be one of {', '.join(rules()['problems'])}"))
    note = str(data.get("note") or "").strip()
    if not note:
        errors.append(FieldError("note", "required", "请说明问题在哪里、正确的应是什么", "say what is wrong (note)"))
    elif len(note) > rules()["max_note"]:
        errors.append(FieldError("note", "length", f"说明不超过 {rules()['max_note']} 字",
                                 f"the note is limited to {rules()['max_note']} characters"))
    if errors:
        raise ValidationFailed(errors)
    return {"record_id": record_id, "problem": problem, "note": note}


class QualityFlagCase(Case):
    """One flag on one record, answered by the record's source department."""

    TOPIC = "gongshi:QualityFlagCase"
    kind: ClassVar[str] = QUALITY_FLAG

    class Created(Aggregate.Created):  # unused; the library requires a topic on every event class
        TOPIC = "gongshi:QualityFlagCase.Created"

    class Submitted(CaseSubmitted):
        TOPIC = "gongshi:QualityFlagCase.Submitted"
        problem: str
        flagger: str  # public | firm | department

    @event(Submitted)
    def __init__(self, number, record_id, record_kind, document_number, credit_code, party_name,  # noqa: PLR0913
                 department, statement, materials, limits, on, submitter, subject_type, problem, flagger):
        self._start(number, record_id, record_kind, document_number, credit_code, party_name, department,
                    statement, materials, limits, on, submitter, subject_type)
        self.problem, self.flagger = problem, flagger

    @property
    def docket_key(self) -> str:
        return f"record:{self.record_id}"

    @property
    def docket_item(self) -> str:
        return f"{self.problem}:{self.statement}"

    def may_be_seen_by(self, actor: Actor) -> None:
        """The source department only: the flagger's identity is never shown to the entity or the public."""
        if actor.department and actor.department == self.department:
            return
        raise CaseForbiddenError("case", "not_your_case", f"无权查看反馈 {self.number}", f"you may not see {self.number}")

    def take(self, step: Any, actor: Actor, reason: str, today: Any, **extra: Any) -> None:
        if step.name == "refer" and self.flagger != FIRM:
            raise ConflictError("step", "not_the_firm", "只有信息主体本人提出的反馈可以转入异议程序",
                                "only a flag raised by the entity concerned can become an objection")
        super().take(step, actor, reason, today, **extra)

    class Corrected(CaseStep):
        TOPIC = "gongshi:QualityFlagCase.Corrected"
        status = "corrected"

    class Confirmed(CaseStep):
        TOPIC = "gongshi:QualityFlagCase.Confirmed"
        status = "confirmed"

    class Referred(CaseStep):
        TOPIC = "gongshi:QualityFlagCase.Referred"
        status = "referred"
