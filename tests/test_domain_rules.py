"""Domain rules in isolation: identifiers, publicity periods, privacy scrubbing."""
from __future__ import annotations

import datetime as dt

import pytest

import schemas
from domain.codes import CodeError, entity_category, mask_id_number, mask_phone, validate_credit_code, validate_id_number
from domain.privacy import scrub_text
from domain.publicity import add_months, honour_public_until, is_public, list_until, penalty_window
from domain.rulesets import in_force

VALID_CODES = ["91350100M000100Y43", "91310110666007217T", "91440101MA5CJQ4N59", "9135021359498494XQ",
               "91350213678251743X"]


@pytest.mark.parametrize("code", VALID_CODES)
def test_published_example_credit_codes_are_valid_and_fail_with_any_other_last_char(code):
    assert validate_credit_code(code)[0] == code
    for other in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if other != code[-1]:
            with pytest.raises(CodeError):
                validate_credit_code(code[:-1] + other)


def test_credit_code_input_is_normalised_full_width_and_lower_case():
    assert validate_credit_code(" ９１３５０１００ｍ０００１００ｙ４３ ")[0] == "91350100M000100Y43"


@pytest.mark.parametrize("bad,fragment", [("91350100M00010", "18"), ("91350100M000I00Y43", "I"),
                                          ("91350100M000100Y44", "check")])
def test_invalid_credit_codes_say_why(bad, fragment):
    with pytest.raises(CodeError) as info:
        validate_credit_code(bad)
    assert fragment in info.value.en and info.value.zh


def test_failing_inner_organisation_code_check_is_only_a_warning():
    from domain.codes import credit_code_check_char

    first17 = "91210504MA0XK4E2" + "9"  # wrong GB 11714 check at position 17
    code = first17 + credit_code_check_char(first17)
    normalised, warnings = validate_credit_code(code)
    assert normalised == code and warnings


def test_id_number_checksum_and_birth_date():
    assert validate_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(CodeError):
        validate_id_number("110105194912310021")
    with pytest.raises(CodeError, match="birth"):
        validate_id_number("110105194902310027")


def test_masks_for_authorised_display():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"


RULES = schemas.publicity_rules()


def window(date: str, **fields) -> dict:
    return penalty_window(RULES, {"decision_date": date, "categories": ["罚款"], "fine": 1, **fields}).as_dict()


def test_each_rule_set_applies_on_its_decision_dates():
    assert window("2021-03-10")["max_end"] == "2022-03-10"  # 527: general, max 1 year
    assert window("2021-03-10", categories=["吊销许可证件"])["max_end"] == "2024-03-10"  # 527: serious, 3 years
    assert window("2023-04-30")["rule_set"] == "ndrc-2019-527"
    assert window("2023-05-01")["rule_set"] == "ndrc-2023-58"
    assert window("2025-01-01")["max_end"] == "2028-01-01"  # order 58: max 3 years
    assert window("2026-04-01")["rule_set"] == "ndrc-2026-36"
    assert window("2026-04-01")["max_end"] == "2027-04-01"  # order 36: general max 1 year


def test_key_sector_serious_penalty_has_a_one_year_minimum_under_order_58():
    w = window("2024-02-01", categories=["吊销许可证件"], sector="食品")
    assert (w["min_end"], w["max_end"]) == ("2025-02-01", "2027-02-01")


def test_minor_penalty_is_not_published_from_april_2026():
    w = window("2026-06-01", categories=["警告"], fine=None)
    assert w["severity"] == "minor" and not w["published"]


def test_market_regulation_warning_only_and_simple_procedure_are_not_published():
    w = penalty_window(RULES, {"decision_date": "2024-06-01", "categories": ["警告"]}, "SCJG").as_dict()
    assert not w["published"]
    w = penalty_window(RULES, {"decision_date": "2024-06-01", "categories": ["罚款"], "fine": 1,
                               "procedure": "简易程序"}, "SCJG").as_dict()
    assert not w["published"]


def test_longest_period_applies_when_a_decision_has_several_categories():
    assert window("2021-03-10", categories=["警告", "吊销许可证件"])["severity"] == "serious"


def test_window_closes_by_itself_as_time_passes():
    w = window("2024-01-10")
    assert is_public(w, "2027-01-09") and not is_public(w, "2027-01-10") and not is_public(w, "2024-01-09")


def test_month_arithmetic_clamps_to_month_end():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)


def test_scrub_hides_id_numbers_and_phones_in_free_text_but_not_other_numbers():
    text = "当事人（身份证11010519491231002X，手机138 1234 5678，座机024-42812345）罚款2万元，文号本市监罚〔2024〕45号"
    scrubbed = scrub_text(text)
    assert "11010519491231002X" not in scrubbed and "1234 5678" not in scrubbed and "42812345" not in scrubbed
    assert "本市监罚〔2024〕45号" in scrubbed and "罚款2万元" in scrubbed


def test_the_rule_set_in_force_covers_the_day_else_the_latest_begun_else_the_first():
    sets = [{"id": "a", "from": "2019-07-01", "to": "2020-12-31"}, {"id": "b", "from": "2021-03-01", "to": None}]
    assert in_force(sets, dt.date(2020, 12, 31))["id"] == "a"
    assert in_force(sets, dt.date(2021, 1, 15))["id"] == "a"  # a gap keeps the rules last begun
    assert in_force(sets, dt.date(2030, 1, 1))["id"] == "b"
    assert in_force(sets, dt.date(2018, 1, 1))["id"] == "a"
    assert in_force(sets, dt.date(2018, 1, 1), before_first="b")["id"] == "b"


def test_a_dishonesty_listing_lapses_after_its_months_and_an_honour_the_day_after_valid_to():
    rules = schemas.publicity_rules()
    assert list_until(rules, "dishonesty_listing", {"decision_date": "2024-02-29"}) == "2027-02-28"
    assert list_until(rules, "anomaly_listing", {"decision_date": "2024-02-29"}) is None
    assert honour_public_until("red_list", {"valid_to": "2026-12-31"}) == "2027-01-01"
    assert honour_public_until("red_list", {}) is None


def test_the_entity_category_comes_from_the_code_else_the_party_type():
    assert entity_category("91350100M000100Y43", "个体工商户") == "企业"
    assert entity_category("00000000000000000X", "个体工商户") == "个体工商户"
    assert entity_category(None, "自然人") == "自然人"
    assert entity_category("A1350100M000100Y43", "法人及非法人组织") == "法人及非法人组织"
    assert entity_category("A1350100M000100Y43") is None
