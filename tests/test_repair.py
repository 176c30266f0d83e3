"""Credit repair in the domain: eligibility, every decision path, deadlines, and the effect on the record."""
from __future__ import annotations

import datetime as dt
import threading
from uuid import UUID

import pytest

from domain import repair
from domain.cases import REPAIR, Actor
from domain.errors import CaseForbiddenError, InputError, InvalidTransitionError, NotEligibleError
from domain.records import Record
from tests.casework import OTHER_COMPANY, other_penalty, public_ids, rid
from tests.records import COMPANY, JTYS, SCJG, penalty

FIRM = Actor.firm(COMPANY)
REVIEWER = Actor.reviewer("token:scjg", SCJG)
MATERIALS = [{"role": "proof", "sha256": "a" * 64, "content_type": "application/pdf", "size": 10, "name": "收据.pdf"},
             {"role": "commitment", "sha256": "b" * 64, "content_type": "image/png", "size": 10, "name": "承诺书.png"}]
TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def app(platform):
    platform.records.submit([penalty(1), other_penalty()], department=SCJG, submitter="test")
    return platform


def codes(reasons):
    return [r.code for r in reasons]


def apply(app, record=None, today=TODAY):
    return app.cases.apply_for_repair(FIRM, record or rid(1), MATERIALS, "罚款已缴清", today)[0]


def decide(app, number, step, reason="", today=TODAY, actor=REVIEWER):
    return app.cases.step(actor, number, step, reason, today, REPAIR)


def test_a_penalty_past_its_minimum_period_is_eligible(app):
    _, reasons = app.cases.repair_eligibility(FIRM, rid(1), TODAY)
    assert reasons == []


def test_before_the_minimum_period_the_firm_is_told_from_which_day(platform, app):
    platform.records.submit([penalty(2, decision_date="2026-10-01")], department=SCJG, submitter="test")
    _, reasons = app.cases.repair_eligibility(FIRM, rid(2), TODAY)
    assert codes(reasons) == ["too_early"] and "2027-01-01" in reasons[0].zh
    with pytest.raises(NotEligibleError):
        apply(app, rid(2))


def test_a_license_is_not_repairable(platform, app):
    license_item = {"kind": "license", "party_name": "本溪市明山区恒达建材有限公司", "party_type": "法人及非法人组织",
                    "credit_code": COMPANY, "document_title": "食品经营许可决定书", "document_number": "本市监许〔2024〕1号",
                    "category": "普通", "content": "食品经营", "decision_date": "2024-03-01", "valid_from": "2024-03-01",
                    "valid_to": "2029-02-28", "authority": "本溪市市场监督管理局", "authority_code": SCJG,
                    "source_unit_code": SCJG}
    result = platform.records.submit([license_item], department=SCJG, submitter="test")
    assert result.items[0].status == "accepted", result.items[0].errors
    _, reasons = app.cases.repair_eligibility(FIRM, result.items[0].record_id, TODAY)
    assert codes(reasons) == ["not_repairable"]


def test_a_penalty_whose_publicity_ended_needs_no_repair(platform, app):
    platform.records.submit([penalty(3, decision_date="2020-01-10")], department=SCJG, submitter="test")
    _, reasons = app.cases.repair_eligibility(FIRM, rid(3), TODAY)
    assert codes(reasons) == ["publicity_ended"]


def test_a_withdrawn_penalty_needs_no_repair(platform, app):
    platform.records.submit([{"kind": "penalty", "action": "withdraw", "reason": "决定被撤销", "authority_code": SCJG,
                      "document_number": "本市监罚〔2024〕1号"}], department=SCJG, submitter="test")
    _, reasons = app.cases.repair_eligibility(FIRM, rid(1), TODAY)
    assert codes(reasons) == ["withdrawn"]


def test_a_second_application_while_one_is_open_is_refused(app):
    number = apply(app)
    with pytest.raises(NotEligibleError) as refused:
        apply(app)
    assert refused.value.errors[0].code == "open_case" and number in refused.value.errors[0].zh


def test_racing_applications_open_exactly_one_case(app):
    barrier, outcomes = threading.Barrier(2), []

    def attempt():
        barrier.wait()
        try:
            outcomes.append(apply(app))
        except NotEligibleError:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o == "refused" for o in outcomes) == [False, True]


def test_a_firm_cannot_apply_for_another_firms_record(app):
    with pytest.raises(CaseForbiddenError):
        apply(app, rid(90))


def test_both_kinds_of_material_are_required(app):
    with pytest.raises(InputError) as missing:
        app.cases.apply_for_repair(FIRM, rid(1), MATERIALS[:1], "", TODAY)
    assert missing.value.errors[0].field == "commitment"


def test_approval_closes_the_case_and_repairs_the_record_in_one_transaction(platform, app):
    number = apply(app)
    decide(app, number, "accept")
    position = decide(app, number, "approve", "材料齐全，准予修复")
    case = app.cases.case(number, REPAIR)
    record: Record = app.ledger.repository.get(UUID(rid(1)))
    assert case.status == repair.APPROVED and record.status == "repaired" and record.repair_case == str(case.id)
    # one save: the case's decision, the record's repair and the docket's closing are adjacent in the log
    stored = app.ledger.recorder.select_notifications(position - 3, 3, inclusive_of_start=False)
    assert [n.id for n in stored] == [position - 2, position - 1, position]
    assert [n.topic for n in stored] == ["gongshi:RepairCase.Approved", "gongshi:Record.Repaired",
                                         "gongshi:Docket.CaseClosed"]
    platform.runner.catch_up()
    assert rid(1) not in public_ids(platform)
    row = platform.views_db.query("SELECT status FROM v_records WHERE record_id=? AND valid_to IS NULL", (rid(1),))
    assert row == [{"status": "repaired"}]
    assert [type(e).__name__ for e in app.ledger.history(record.id)] == ["Recorded", "Repaired"]  # auditors still see it


def test_approving_a_refused_case_is_an_invalid_transition_and_changes_nothing(app):
    number = apply(app)
    decide(app, number, "refuse", "缺少缴款凭证原件")
    before = app.ledger.position()
    with pytest.raises(InvalidTransitionError) as refused:
        decide(app, number, "approve")
    assert "不予受理" in refused.value.errors[0].zh
    assert app.ledger.position() == before


def test_rejection_after_acceptance_keeps_the_record_public_and_allows_a_new_application(platform, app):
    number = apply(app)
    decide(app, number, "accept")
    decide(app, number, "reject", "罚款尚未缴清")
    platform.runner.catch_up()
    assert rid(1) in public_ids(platform)
    assert app.cases.repair_eligibility(FIRM, rid(1), TODAY)[1] == []
    assert apply(app) != number


@pytest.mark.parametrize("step", ["refuse", "reject", "revoke"])
def test_negative_decisions_need_a_reason(app, step):
    number = apply(app)
    with pytest.raises(InputError):
        decide(app, number, step, "  ")


def test_a_reviewer_of_another_department_cannot_decide(app):
    number = apply(app)
    with pytest.raises(CaseForbiddenError) as refused:
        decide(app, number, "accept", actor=Actor.reviewer("token:jt", JTYS))
    assert "无权" in refused.value.errors[0].zh


def test_the_firm_cannot_decide_its_own_case_nor_withdraw_anothers(app):
    number = apply(app)
    with pytest.raises(CaseForbiddenError):
        decide(app, number, "approve", actor=FIRM)
    with pytest.raises(CaseForbiddenError):
        decide(app, number, "withdraw", actor=Actor.firm(OTHER_COMPANY))
    decide(app, number, "withdraw", actor=FIRM)
    assert app.cases.case(number, REPAIR).status == "withdrawn"
    assert app.cases.repair_eligibility(FIRM, rid(1), TODAY)[1] == []


def test_revocation_makes_the_record_public_again_and_bars_new_applications(platform, app):
    number = apply(app)
    decide(app, number, "accept")
    decide(app, number, "approve")
    decide(app, number, "revoke", "缴款凭证系伪造", today=dt.date(2026, 12, 1))
    platform.runner.catch_up()
    assert rid(1) in public_ids(platform, "2026-12-01")
    reasons = app.cases.repair_eligibility(FIRM, rid(1), dt.date(2026, 12, 2))[1]
    assert codes(reasons) == ["barred"] and "2029-12-01" in reasons[0].zh
    assert [type(e).__name__ for e in app.ledger.history(UUID(rid(1)))] == ["Recorded", "Repaired", "RepairRevoked"]


def test_deadlines_run_in_working_days_across_national_day(platform, app):
    number = apply(app, today=dt.date(2026, 9, 29))
    case = app.cases.case(number, REPAIR)
    assert case.due() == "2026-10-08"  # 30 Sep, then the holiday week, then 8 Oct
    platform.runner.catch_up()
    listed = platform.case_views.for_department(SCJG, "2026-10-08")
    assert listed[0]["due"] == "2026-10-08" and not listed[0]["overdue"]
    assert platform.case_views.for_department(SCJG, "2026-10-09")[0]["overdue"]
    assert platform.case_views.for_department(SCJG, "2026-10-09", overdue_only=True)[0]["number"] == number
    decide(app, number, "accept", today=dt.date(2026, 10, 9))  # one day late
    assert app.cases.case(number, REPAIR).due() == "2026-10-13"  # Sat 10 Oct is a working day
    platform.runner.catch_up()
    row = platform.case_views.by_number(number, "2026-10-12")
    assert (row["stage"], row["due"], row["late"], row["overdue"]) == ("decision", "2026-10-13", 1, False)
    assert platform.case_views.for_department(JTYS, "2026-10-12") == []


def test_a_dishonesty_listing_can_be_repaired_only_after_a_year(platform, app):
    listing = {"kind": "dishonesty_listing", "list_type": "严重违法失信", "party_name": "本溪市明山区恒达建材有限公司",
               "party_type": "法人及非法人组织", "credit_code": COMPANY, "document_number": "本市监列〔2026〕1号",
               "cause": "提交虚假材料取得登记", "decision_date": "2026-03-01", "authority": "本溪市市场监督管理局",
               "authority_code": SCJG, "source_unit_code": SCJG}
    result = platform.records.submit([listing], department=SCJG, submitter="test")
    assert result.items[0].status == "accepted", result.items[0].errors
    reasons = app.cases.repair_eligibility(FIRM, result.items[0].record_id, TODAY)[1]
    assert codes(reasons) == ["too_early"] and "2027-03-01" in reasons[0].zh
    assert app.cases.repair_eligibility(FIRM, result.items[0].record_id, dt.date(2027, 3, 1))[1] == []
