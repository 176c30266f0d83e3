"""Data-quality flags: anyone files one on a public record; the record's source department answers by the case steps.

The house's way (application/cases.py's machinery): the flag is a case about the record, opened on the record's
docket so that the same flag while one is open links to it instead of opening another.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from uuid import UUID

from application.cases import Cases
from domain import quality
from domain.cases import Actor, limits_for
from domain.errors import NotFoundError
from domain.quality import QUALITY_FLAG, QualityFlagCase
from domain.records import Record


class QualityFlags:
    def __init__(self, cases: Cases, is_public: Callable[[str], bool]):
        self.cases, self.ledger = cases, cases.ledger
        self.is_public = is_public  # whether a record is public now (the views: a flag is about what people see)

    def file(self, data: Any, actor: Actor, submitter: str, today: dt.date) -> tuple[str, int, bool]:
        """(case number, log position, linked): `linked` when the same flag is already open on the record."""
        flag = quality.check_flag(data)
        try:
            record = self.ledger.get_or_none(UUID(flag["record_id"]))
        except ValueError:
            record = None
        if not isinstance(record, Record) or not self.is_public(flag["record_id"]):
            raise NotFoundError("record_id", "unknown_record", f"没有公示中的信用信息 {flag['record_id'][:40]}，请从信息页面提交反馈",
                                f"no public record {flag['record_id'][:40]!r}; flag it from its page")
        code = record.fields.get("credit_code")
        flagger = (quality.FIRM if actor.credit_code and actor.credit_code == code else
                   quality.DEPARTMENT if actor.department else quality.PUBLIC)
        linked: list[str] = []

        def open_case(number: str) -> list[Any]:
            docket = self.cases.docket(f"record:{flag['record_id']}")
            same = docket.open_case(QUALITY_FLAG, f"{flag['problem']}:{flag['note']}")
            if same is not None:
                linked[:] = [same["number"]]
                return []
            case = QualityFlagCase(
                number=number, record_id=flag["record_id"], record_kind=record.kind,
                document_number=record.fields.get("document_number", ""), credit_code=code or "",
                party_name=record.fields.get("party_name") or record.fields.get("name", ""),
                department=record.department, statement=flag["note"], materials=[],
                limits=limits_for(QUALITY_FLAG, today), on=today.isoformat(), submitter=submitter,
                subject_type="record", problem=flag["problem"], flagger=flagger)
            docket.opened(case)
            return [case, docket]

        number, position = self.cases.open_new(QUALITY_FLAG, today, open_case)
        if linked:
            return linked[0], self.ledger.position(), True
        return number, position, False
