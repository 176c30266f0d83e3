"""Complaint and report commands: filing (routed by category), transfer, conclusion.

The other steps (acknowledge, accept, refuse, extend, flag as malicious) are the case
model's ordinary steps (`Cases.step`), configured in schemas/case_workflows.json.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from application.cases import Cases
from domain import complaints
from domain.cases import Actor, limits_for, require_text, workflows
from domain.complaints import COMPLAINT_CASE, ComplaintCase
from domain.errors import ForbiddenError, InputError, NotFoundError
from domain.records import entity_id


class Complaints:
    def __init__(self, cases: Cases, is_agency: Callable[[str], bool],
                 batch_of: Callable[[str], str | None] = lambda code: None,
                 shop_of: Callable[[str], dict[str, Any] | None] = lambda key: None):
        self.cases = cases
        self.ledger = cases.ledger
        self.is_agency = is_agency  # whether a code has an agency filing (the registry's read model)
        self.batch_of = batch_of  # a traceability code -> the registrant's credit code (None: no such batch)
        self.shop_of = shop_of  # a mark id or presence key -> the presence's row (None: no such shop)

    def department_of(self, category: str) -> str:
        key = complaints.categories()[category]["department"]
        return next(d.code for d in self.ledger.catalog.departments.values() if d.key == key)

    def file(self, data: dict[str, Any], materials: list[dict[str, Any]], submitter: str,
             today: dt.date) -> tuple[str, int, bool]:
        """(case number, log position, linked): `linked` when an open case with the same filing already exists."""
        filing = complaints.check_filing(data)
        responsible = filing["subject_key"]
        if filing["subject_type"] == complaints.TRACE_CODE:  # about the batch's producer or importer
            registrant = self.batch_of(filing["subject_key"])
            if registrant is None:
                raise NotFoundError("subject_key", "unknown_code",
                                    f"没有追溯码为 {filing['subject_key']} 的产品批次，请核对产品标签或在 /trace 查询",
                                    f"no batch has the code {filing['subject_key']}; check the label or /trace")
            responsible = registrant
        if filing["subject_type"] == complaints.SHOP:  # about the shop's operator, the shop attached
            shop = self.shop_of(filing["subject_key"])
            if shop is None:
                raise NotFoundError("subject_key", "unknown_shop",
                                    f"没有亮照标识编号为 {filing['subject_key']} 的网店：该标识不是本平台签发的，可直接举报该网站",
                                    f"no shop has the mark {filing['subject_key']}: the badge was not issued here")
            if not shop["credit_code"]:
                raise NotFoundError("subject_key", "exempt_operator",
                                    f"网店“{shop['name']}”的经营者依法无需登记，请向其所在平台（{shop['platform_name']}）投诉",
                                    "this shop's operator is exempt from registration: complain to its platform")
            filing = {**filing, "subject_key": shop["presence_key"]}
            responsible = shop["credit_code"]
        entity = self.ledger.get_or_none(entity_id(responsible))
        if entity is None:
            raise NotFoundError("subject_key", "unknown_entity",
                                f"本平台没有统一社会信用代码为 {filing['subject_key']} 的市场主体，请核对或先在首页搜索名称",
                                f"no market entity {filing['subject_key']} here; check the code or search by name")
        if filing["subject_type"] == "agency" and not self.is_agency(filing["subject_key"]):
            raise NotFoundError("subject_key", "not_an_agency",
                                f"{filing['subject_key']} 不是本市备案的信用服务机构（见 /agencies）；投诉其他市场主体请选择“市场主体”",
                                f"{filing['subject_key']} is not a registered credit-service agency (see /agencies)")
        department = self.department_of(filing["category"])
        linked: list[str] = []

        def open_case(number: str) -> list[Any]:
            docket = self.cases.docket(complaints.subject_key(filing["subject_type"], filing["subject_key"]))
            same = docket.open_case(COMPLAINT_CASE, complaints.dedupe_key(filing["category"], filing["contact"],
                                                                          filing["facts"]))
            if same is not None:
                linked[:] = [same["number"]]
                return []
            case = ComplaintCase(
                number=number, record_id="", record_kind="", document_number="",
                credit_code=responsible, party_name=entity.fields.get("name", ""), department=department,
                statement=filing["facts"], materials=materials, limits=limits_for(COMPLAINT_CASE, today),
                on=today.isoformat(), submitter=submitter, subject_type=filing["subject_type"],
                complaint_kind=filing["complaint_kind"], category=filing["category"],
                subject_key=filing["subject_key"], contact=filing["contact"], anonymous=filing["anonymous"])
            docket.opened(case)
            return [case, docket]

        number, position = self.cases.open_new(COMPLAINT_CASE, today, open_case)
        if linked:
            return linked[0], self.ledger.position(), True
        return number, position, False

    def transfer(self, actor: Actor, number: str, to_department: str, reason: str | None, today: dt.date) -> int:
        """Send a wrongly routed case to the department that handles it; its clock starts again there."""
        step = workflows()[COMPLAINT_CASE].step("transfer")
        text = require_text(reason, "reason", "转办理由", "a reason for the transfer")
        target = (to_department or "").strip().upper()
        if self.ledger.catalog.department(target) is None:
            raise InputError("to_department", "unknown_department", f"转办部门 {target} 不在政务数据采集目录中",
                             f"department {target} is not in the catalog")
        if target == actor.department:
            raise ForbiddenError("to_department", "same_department", "不能转办给本部门", "a case cannot be transferred to "
                                 "the department that holds it")
        return self.cases.save(lambda: self.cases.take(COMPLAINT_CASE, number, step, actor, text, today,
                                                         to_department=target))

    def conclude(self, actor: Actor, number: str, outcome: str | None, reason: str | None, today: dt.date) -> int:
        step = workflows()[COMPLAINT_CASE].step("conclude")
        chosen = complaints.check_outcome(outcome)
        text = require_text(reason, "reason", "办结情况说明", "what was found and done")
        return self.cases.save(lambda: self.cases.take(COMPLAINT_CASE, number, step, actor, text, today,
                                                         outcome=chosen))
