"""Investment projects: submit (the applicant's firm), accept or refuse (the window), opine (each reviewing department).

The house's way: load by number, call the domain, save in one transaction, catch up. Credit is checked
by the platform at acceptance and at each opinion through the joint-measures check (Supervision.check,
business `investment`), which records each check in the log; its gist goes into the step's event. A
project accepted by commitment (告知承诺) publishes the applicant's commitment as a commitment record
through the ordinary record pipeline, by the accepting department, right after the acceptance.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from application.cases import Cases
from application.supervision import Caller, Supervision
from domain import projects
from domain.cases import Actor, limits_for, workflows
from domain.errors import InputError, NotFoundError
from domain.projects import PROJECT, ProjectCase
from domain.records import entity_id
from projections.public import Moment

CREDIT_CHECKER = "rule:project-credit-check"
log = logging.getLogger(__name__)


class Projects:
    def __init__(self, cases: Cases, supervision: Callable[[], Supervision], districts: dict[str, str],
                 submit_record: Callable[[dict[str, Any], str, str], Any]):
        self.cases, self.ledger = cases, cases.ledger
        self.supervision = supervision  # lazily: the check reads the grades' read model
        self.districts = districts
        self.submit_record = submit_record  # (item, department, submitter): the commitment record

    def department_of_key(self, key: str) -> str:
        return next(d.code for d in self.ledger.catalog.departments.values() if d.key == key)

    @property
    def window(self) -> str:
        return self.department_of_key(projects.rules()["accepting_department"])

    def submit(self, credit_code: str, data: Any, today: dt.date, submitter: str) -> tuple[str, int]:
        """The applicant's one submission: (project code, log position)."""
        fields = projects.check_project(data, self.districts)
        if "credit_code" in (data or {}) and str(data["credit_code"]).strip().upper() != credit_code:
            raise InputError("credit_code", "not_you", "申报单位必须是当前登录的企业", "the applicant must be the firm "
                             "logged in")
        entity = self.ledger.get_or_none(entity_id(credit_code))
        if entity is None:
            raise NotFoundError("credit_code", "unknown_entity", f"本平台没有统一社会信用代码为 {credit_code} 的市场主体",
                                f"no market entity {credit_code} here")
        items = [{"item": i, "department": self.department_of_key(projects.rules()["items"][i]["department"]),
                  "working_days": projects.rules()["items"][i]["working_days"]}
                 for i in projects.items_for(fields["project_type"], fields["industry"])]

        def open_case(number: str) -> list[Any]:
            return [ProjectCase(number=number, record_id="", record_kind="", document_number="",
                                credit_code=credit_code, party_name=entity.fields.get("name", ""),
                                department=self.window, statement=fields["description"] or fields["name"],
                                materials=[], limits=limits_for(PROJECT, today), on=today.isoformat(),
                                submitter=submitter, subject_type="project", project=fields, items=items)]

        return self.cases.open_new_numbered(
            lambda: projects.project_code(fields["project_type"], fields["industry"], fields["district"], today),
            open_case)

    def _check(self, credit_code: str, actor: Actor, today: dt.date) -> dict[str, Any]:
        """The joint-measures check for the business `investment`, recorded; its gist for the step's event."""
        caller = Caller(f"{CREDIT_CHECKER}:{actor.identity}", "reviewer", actor.department)
        [answer] = self.supervision().check(caller, [(credit_code, projects.rules()["credit"]["business"])],
                                            Moment.now(today))
        return {"check_id": answer["check_id"], "check_position": answer["check_position"], "result": answer["result"],
                "grade": answer.get("grade"),
                "measures": [{"id": m["id"], "name": m["name"], "type": m["type"], "action": m["action"]}
                             for m in answer["measures"]],
                "withheld": [m["id"] for m in answer.get("withheld_incentives", [])]}

    def accept(self, actor: Actor, number: str, today: dt.date) -> dict[str, Any]:
        """The window accepts, after the credit check: refused with the measure named when one forbids new projects;
        by commitment when asked for and a green-channel measure applies. {status, credit, position}."""
        case = self.cases.case(number, PROJECT)
        case.check_acceptance(actor)
        credit = self._check(case.credit_code, actor, today)
        policy = projects.rules()["credit"]
        refusing = [m for m in credit["measures"] if m["id"] in policy["refuse_at_acceptance"]]
        workflow = workflows()[PROJECT]
        if refusing:
            reason = "；".join(f"{m['id']} {m['name']}：{m['action']}" for m in refusing)
            position = self.cases.save(lambda: self.cases.take(PROJECT, number, workflow.step("refuse"), actor,
                                                                 f"信用核查：{reason}", today, credit=credit))
            return {"status": "not_accepted", "credit": credit, "position": position}
        by_commitment = case.project["commitment"] and any(m["id"] in policy["commitment_allowed"]
                                                           for m in credit["measures"])
        position = self.cases.save(lambda: self.cases.take(PROJECT, number, workflow.step("accept"), actor,
                                                             "统一受理", today, credit=credit,
                                                             by_commitment=by_commitment))
        commitment = None
        if by_commitment:
            result = self.submit_record(self._commitment(case, today), self.window, actor.identity)
            commitment = result.items[0].as_dict()
            if commitment["status"] not in ("accepted", "duplicate"):  # the rules changed under the form: say so
                log.error("project %s: its commitment record was refused: %s", number, commitment.get("errors"))
        return {"status": "in_review", "by_commitment": by_commitment, "credit": credit, "position": position,
                "commitment_record": commitment}

    def _commitment(self, case: ProjectCase, today: dt.date) -> dict[str, Any]:
        window = self.ledger.catalog.department(self.window)
        return {"kind": "commitment", "party_name": case.party_name, "party_type": "法人及非法人组织",
                "credit_code": case.credit_code, "document_number": f"承诺〔{case.number}〕",
                "commitment_type": "告知承诺", "matter": f"投资项目“{case.project['name']}”告知承诺审批",
                "content": projects.rules()["commitment_text"], "commitment_date": today.isoformat(),
                "authority": window.name, "authority_code": window.code, "source_unit_code": window.code}

    def refuse(self, actor: Actor, number: str, reason: str | None, today: dt.date) -> int:
        step = workflows()[PROJECT].step("refuse")
        text = (reason or "").strip()
        if not text:
            raise InputError("reason", "required", "不予受理须说明理由", "a reason is required")
        return self.cases.save(lambda: self.cases.take(PROJECT, number, step, actor, text, today, credit=None))

    def opine(self, actor: Actor, number: str, item: str, opinion: str, reason: str | None,
              today: dt.date) -> dict[str, Any]:
        case = self.cases.case(number, PROJECT)
        case.check_opinion(actor, item, opinion, reason)  # refused before a credit check is recorded
        credit = self._check(case.credit_code, actor, today)

        def command() -> list[Any]:
            found = self.cases.case(number, PROJECT)
            found.opine(actor, item, opinion, reason, today, credit)
            return [found]

        position = self.cases.save(command)
        return {"status": self.cases.case(number, PROJECT).status, "credit": credit, "position": position}
