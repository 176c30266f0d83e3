"""Submissions to the ledger: validation, idempotence, corrections, withdrawals, listings."""
from __future__ import annotations

import pytest

from domain.submission import ACCEPTED, DUPLICATE, REJECTED
from tests.records import COMPANY, JTYS, SCJG, entity, penalty


def submit(platform, *items, department=SCJG):
    return platform.records.submit(list(items), department=department, submitter="test")


def errors_of(result, index=0):
    return {e.field: e for e in result.items[index].errors}


def test_valid_penalty_is_accepted_with_its_log_position(platform):
    result = submit(platform, penalty())
    assert result.items[0].status == ACCEPTED
    assert result.items[0].position == result.position == platform.ledger.position() == 1


def test_same_decision_submitted_twice_is_one_record(platform):
    first = submit(platform, penalty())
    second = submit(platform, penalty())
    assert second.items[0].status == DUPLICATE
    assert second.items[0].record_id == first.items[0].record_id
    assert second.position is None and platform.ledger.position() == 1


def test_national_field_codes_are_accepted_as_keys(platform):
    item = penalty()
    item["CF_XDR_MC"] = item.pop("party_name")
    item["CF_WSH"] = item.pop("document_number")
    result = submit(platform, item)
    assert result.items[0].status == ACCEPTED


def test_same_key_with_different_content_is_refused_with_a_pointer_to_correction(platform):
    submit(platform, penalty())
    result = submit(platform, penalty(facts="另一份事实"))
    assert result.items[0].status == REJECTED
    err = errors_of(result)["document_number"]
    assert "更正" in err.zh and "correction" in err.en


def test_correction_becomes_a_new_version_with_its_reason(platform):
    submit(platform, penalty())
    result = submit(platform, penalty(action="correct", reason="罚款金额录入错误", fine=3))
    assert result.items[0].status == ACCEPTED
    rows = platform.views_db.query(
        "SELECT version, event, reason, valid_to, data FROM v_records ORDER BY valid_from")
    assert [(r["version"], r["event"]) for r in rows] == [(1, "recorded"), (2, "corrected")]
    assert rows[0]["valid_to"] == 2 and rows[1]["valid_to"] is None
    assert rows[1]["reason"] == "罚款金额录入错误" and '"fine":3.0' in rows[1]["data"]


def test_correction_without_reason_is_refused(platform):
    submit(platform, penalty())
    result = submit(platform, penalty(action="correct", fine=3))
    assert errors_of(result)["reason"].code == "required"


def test_withdrawal_marks_the_record_withdrawn_and_keeps_its_history(platform):
    submit(platform, penalty())
    result = submit(platform, {"kind": "penalty", "action": "withdraw", "reason": "行政复议撤销",
                               "authority_code": SCJG, "document_number": "本市监罚〔2024〕1号"})
    assert result.items[0].status == ACCEPTED
    statuses = [r["status"] for r in platform.views_db.query("SELECT status FROM v_records ORDER BY valid_from")]
    assert statuses == ["active", "withdrawn"]
    assert len(platform.ledger.history(platform.ledger.repository.get(
        __import__("uuid").UUID(result.items[0].record_id)).id)) == 2


def test_every_error_names_its_field_in_chinese_and_english(platform):
    bad = penalty(credit_code="91210504MA0XK4E22F", decision_date="2099-01-01", fine="两万")
    result = submit(platform, bad)
    errors = errors_of(result)
    assert set(errors) >= {"fine"}
    for e in result.items[0].errors:
        assert e.field and e.zh and e.en


def test_credit_code_with_wrong_check_character_is_refused(platform):
    result = submit(platform, penalty(credit_code="91210504MA0XK4E22F"))
    assert errors_of(result)["credit_code"].code == "credit_code"


def test_letter_o_in_a_credit_code_is_reported_not_fixed(platform):
    result = submit(platform, penalty(credit_code="91210504MAOXK4E22E"))
    assert "O" in errors_of(result)["credit_code"].en


def test_future_decision_date_is_refused(platform):
    result = submit(platform, penalty(decision_date="2030-01-01"))
    assert errors_of(result)["decision_date"].code == "future_date"


def test_fine_is_required_when_categories_include_a_fine(platform):
    item = penalty()
    del item["fine"]
    assert errors_of(submit(platform, item))["fine"].code == "required"


def test_natural_person_needs_a_valid_id_number(platform):
    person = penalty(party_type="自然人", party_name="张三", person_id_type="身份证", person_id_number="110105194912310021")
    del person["credit_code"]
    assert errors_of(submit(platform, person))["person_id_number"].code == "id_number"
    person["person_id_number"] = "11010519491231002X"
    assert submit(platform, person).items[0].status == ACCEPTED


def test_placeholder_code_only_for_individual_businesses_with_registration_number(platform):
    result = submit(platform, penalty(credit_code="00000000000000000X"))
    assert errors_of(result)["credit_code"].code == "placeholder"
    result = submit(platform, penalty(credit_code="00000000000000000X", party_type="个体工商户"))
    assert errors_of(result)["registration_number"].code == "required"
    ok = submit(platform, penalty(n=2, credit_code="00000000000000000X", party_type="个体工商户",
                                  registration_number="210504600123456"))
    assert ok.items[0].status == ACCEPTED


def test_department_outside_its_catalog_is_refused(platform):
    result = submit(platform, penalty(source_unit_code=JTYS), department=JTYS)
    err = errors_of(result)["source_unit_code"]
    assert err.code == "not_the_source" and "一数一源" in err.zh


def test_record_source_unit_must_match_the_submitting_department(platform):
    result = submit(platform, penalty(), department=JTYS)
    assert errors_of(result)["source_unit_code"].code == "department_mismatch"


def test_unknown_kind_and_unknown_field_are_named(platform):
    result = submit(platform, {"kind": "bribe"}, penalty(colour="red"))
    assert errors_of(result, 0)["kind"].code == "unknown_kind"
    assert errors_of(result, 1)["colour"].code == "unknown_field"


def test_a_batch_stores_its_valid_items_in_one_transaction(platform):
    result = submit(platform, penalty(1), penalty(2, fine="x"), penalty(3))
    assert [i.status for i in result.items] == [ACCEPTED, REJECTED, ACCEPTED]
    assert platform.ledger.position() == 2


def test_penalty_gets_the_publicity_window_of_the_rule_set_on_its_decision_date(platform):
    submit(platform, penalty(1, decision_date="2022-06-15"), penalty(2, decision_date="2024-06-15"),
           penalty(3, decision_date="2026-05-10", categories=["警告"], procedure="简易程序", fine=None))
    rows = {r["document_number"]: r for r in platform.views_db.query(
        "SELECT document_number, public_from, public_until, published FROM v_records")}
    assert rows["本市监罚〔2024〕1号"]["public_until"] == "2023-06-15"  # 527: general max 1 year
    assert rows["本市监罚〔2024〕2号"]["public_until"] == "2027-06-15"  # order 58: max 3 years
    assert rows["本市监罚〔2024〕3号"]["published"] == 0  # order 36: minor penalties are not published


def test_decision_about_an_unregistered_entity_starts_its_profile_outside_the_city(platform):
    submit(platform, penalty())
    row = platform.views_db.query("SELECT * FROM v_entities WHERE entity_key=?", (COMPANY,))[0]
    assert row["registered_in_city"] == 0 and row["name"] == "本溪市明山区恒达建材有限公司"
    submit(platform, entity())
    rows = platform.views_db.query("SELECT registered_in_city, valid_to FROM v_entities WHERE entity_key=? "
                                   "ORDER BY valid_from", (COMPANY,))
    assert [(r["registered_in_city"], r["valid_to"]) for r in rows] == [(0, 2), (1, None)]


def test_id_numbers_and_phones_never_reach_the_read_models(platform):
    person = penalty(party_type="自然人", party_name="张三", person_id_type="身份证",
                     person_id_number="11010519491231002X",
                     facts="当事人张三（电话13900001111，身份证11010519491231002X）无证经营。")
    del person["credit_code"]
    submit(platform, person, entity())
    dump = repr(platform.views_db.query("SELECT * FROM v_records")) + repr(platform.views_db.query("SELECT * FROM v_entities"))
    assert "11010519491231002X" not in dump and "13900001111" not in dump and "13812345678" not in dump
    assert "张三" in dump


def test_listing_removal_is_an_event_on_the_listing(platform):
    listing = {"kind": "anomaly_listing", "party_name": "本溪市明山区恒达建材有限公司", "party_type": "法人及非法人组织",
               "credit_code": COMPANY, "document_number": "本市监异列〔2023〕7号",
               "cause": "未按规定期限公示年度报告", "decision_date": "2023-07-01",
               "authority": "本溪市市场监督管理局", "authority_code": SCJG}
    removal = {"kind": "anomaly_removal", "credit_code": COMPANY, "listing_document_number": "本市监异列〔2023〕7号",
               "document_number": "本市监异移〔2023〕9号", "cause": "已补报年度报告", "decision_date": "2023-09-01",
               "authority": "本溪市市场监督管理局", "authority_code": SCJG}
    result = submit(platform, listing, removal)
    assert [i.status for i in result.items] == [ACCEPTED, ACCEPTED]
    assert result.items[0].record_id == result.items[1].record_id
    assert submit(platform, removal).items[0].status == DUPLICATE
    early = dict(removal, document_number="本市监异移〔2023〕10号", decision_date="2023-06-01")
    assert errors_of(submit(platform, early))["listing_document_number"].code == "already_removed"
    row = platform.views_db.query("SELECT removed_date, list_until FROM v_records WHERE valid_to IS NULL")[0]
    assert row["removed_date"] == row["list_until"] == "2023-09-01"
