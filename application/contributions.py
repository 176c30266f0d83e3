"""Contributor and contribution commands: register, suspend, reinstate; report (routed by category), confirm.

Refusing a contribution is the case model's ordinary `refuse` step (`Cases.step`), configured in
schemas/case_workflows.json; confirming it also makes the public `society_info` record, in the
same transaction as the case's step.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from application.cases import Cases
from domain import contributions
from domain.cases import Actor, limits_for, require_text, step_reason, workflows
from domain.codes import CodeError, validate_credit_code
from domain.contributions import CONTRIBUTION, SOCIETY_INFO, ContributionCase
from domain.contributors import Contributor, check_type, contributor_id, rules
from domain.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from domain.records import Record, digest, entity_id, record_id


class Contributions:
    def __init__(self, cases: Cases):
        self.cases = cases
        self.ledger = cases.ledger

    # -- the registry (the credit office's commands) ------------------------------------------------
    @property
    def credit_office(self) -> str:
        """The department that approves contributors (schemas/contributions.json `approved_by`)."""
        return self._department(rules()["approved_by"])

    def _department(self, key: str) -> str:
        return next(d.code for d in self.ledger.catalog.departments.values() if d.key == key)

    def contributor(self, credit_code: str) -> Contributor:
        found = self.ledger.get_or_none(contributor_id(credit_code))
        if not isinstance(found, Contributor):
            raise ForbiddenError("contributor", "not_registered",
                                 f"{credit_code} 不是经市信用办登记的信息报送方，不能报送社会信用信息",
                                 f"{credit_code} is not a registered contributor")
        return found

    def register(self, credit_code: str, name: str, contributor_type: str, today: dt.date, submitter: str) -> int:
        """Register a contributor bound to its credit code, as approved by the credit office."""
        try:
            code = validate_credit_code(credit_code or "")[0]
        except CodeError as e:
            raise InputError("credit_code", "credit_code", f"统一社会信用代码无效：{e.zh}",
                             f"credit_code: {e.en}") from None
        text = require_text(name, "name", "报送方名称", "the contributor's name")
        kind = check_type(contributor_type)
        if self.ledger.get_or_none(contributor_id(code)) is not None:
            raise ConflictError("credit_code", "exists", f"{code} 已登记为信息报送方", f"{code} is already registered")
        return self.cases.save(lambda: [Contributor(credit_code=code, name=text, contributor_type=kind,
                                                    approved_by=self.credit_office, on=today.isoformat(),
                                                    submitter=submitter)])

    def suspend(self, credit_code: str, reason: str, today: dt.date, submitter: str) -> int:
        text = require_text(reason, "reason", "暂停理由", "a reason")

        def command() -> list[Any]:
            found = self.contributor(credit_code)
            found.suspend(text, today, submitter)
            return [found]

        return self.cases.save(command)

    def reinstate(self, credit_code: str, reason: str, today: dt.date, submitter: str) -> int:
        text = require_text(reason, "reason", "恢复理由", "a reason")

        def command() -> list[Any]:
            found = self.contributor(credit_code)
            found.reinstate(text, today, submitter)
            return [found]

        return self.cases.save(command)

    # -- contributions -------------------------------------------------------------------------------
    def department_of(self, category: str) -> str:
        return self._department(contributions.categories()[category]["department"])

    def report(self, actor: Actor, data: Any, materials: list[dict[str, Any]], today: dt.date) -> tuple[str, int]:
        """(case number, log position) of a new contribution; nothing is public until it is confirmed."""
        if actor.contributor is None:
            raise ForbiddenError("contributor", "not_a_contributor", "只有登记的信息报送方可以报送社会信用信息",
                                 "only a registered contributor may report")
        self.contributor(actor.contributor).may_report()
        fields = contributions.check(data, today)
        code = fields["credit_code"]
        if code == actor.contributor:
            raise InputError("credit_code", "self_report", "报送方不能报送关于自身的信息",
                             "a contributor cannot report about itself")
        entity = self.ledger.get_or_none(entity_id(code))
        if entity is None:
            raise NotFoundError("credit_code", "unknown_entity",
                                f"本平台没有统一社会信用代码为 {code} 的市场主体，请核对后再报送",
                                f"no market entity {code} here; check the code")
        department = self.department_of(fields["category"])
        key = contributions.dedupe_key(actor.contributor, fields)

        def open_case(number: str) -> list[Any]:
            contributor = self.contributor(actor.contributor)
            contributor.may_report()
            docket = self.cases.docket(contributions.docket_key(code))
            same = docket.open_case(CONTRIBUTION, key)
            if same is not None:
                raise ConflictError("source", "duplicate",
                                    f"同一信息（同一主体、类别、发生日期和来源）已报送（案件 {same['number']}）",
                                    f"the same report (entity, category, day and source) is case {same['number']}")
            case = ContributionCase(
                number=number, record_id="", record_kind="", document_number="", credit_code=code,
                party_name=entity.fields.get("name", ""), department=department, statement=fields["summary"],
                materials=materials, limits=limits_for(CONTRIBUTION, today), on=today.isoformat(),
                submitter=actor.identity, subject_type="entity", contributor_code=contributor.credit_code,
                contributor_name=contributor.name, contributor_type=contributor.contributor_type,
                category=fields["category"], happened_on=fields["happened_on"], source=fields["source"])
            docket.opened(case)
            return [case, docket]

        return self.cases.open_new(CONTRIBUTION, today, open_case)

    def confirm(self, actor: Actor, number: str, note: str | None, today: dt.date) -> int:
        """The verifying department confirms: the case's step and the public society-sourced record, one save."""
        step = workflows()[CONTRIBUTION].step("confirm")
        text = step_reason(step, note)
        validator = self.cases.checker.validator

        def society_record(case: Any) -> Record:
            dept = self.ledger.catalog.department(case.department)
            fields = contributions.society_fields(case, dept.name if dept else case.department, text, today)
            fields = validator.validate(SOCIETY_INFO, fields, None)
            return Record(kind=SOCIETY_INFO, fields=fields, department=case.department, submitter=actor.identity,
                          window=None, digest=digest(fields))

        def command() -> list[Any]:
            case = self.cases.case(number, CONTRIBUTION)
            rid = str(record_id(SOCIETY_INFO, case.department, case.number))
            return self.cases.take(CONTRIBUTION, number, step, actor, text, today, new_record=society_record,
                                   record_id=rid)

        return self.cases.save(command)
