"""Joint rewards and punishments: the catalog of schemas/measures.json evaluated on hand-built records."""
from __future__ import annotations

import datetime as dt

import pytest

import schemas
from domain import measures
from domain.measures import INCENTIVES, NONE, RESTRICTED, UnknownMeasureError, evaluate
from schemas import supervision as config
from tests.conftest import TODAY
from tests.supervision_records import fact

CATALOG = config.measures()


def ask(records, asked=None, grade="B", today=TODAY):
    return evaluate(CATALOG, records, grade, today, asked)


def ids(outcome):
    return [a.measure["id"] for a in outcome.applied]


def listing(list_type, n=1, until="2028-06-01"):
    return fact("dishonesty_listing", "2025-06-01", n, list_type=list_type, list_until=until)


def test_the_catalog_is_consistent_with_the_record_schemas():
    list_types = {k: schemas.kind_schema(k)["properties"]["list_type"]["enum"] for k in ("dishonesty_listing", "red_list")}
    categories = schemas.kind_schema("penalty")["properties"]["categories"]["items"]["enum"]
    assert measures.catalog_problems(CATALOG, {**list_types, "anomaly_listing": []}, categories) == []
    for m in CATALOG["measures"]:
        assert {"id", "name", "legal_basis", "triggers", "action", "duration", "lifted_on_repair"} <= m.keys()


def test_nothing_on_record_means_none():
    assert ask([], "subsidy").result == NONE


def test_court_defaulter_is_restricted_from_subsidies_and_high_consumption():
    records = [listing("失信被执行人")]
    subsidy = ask(records, "subsidy")
    assert subsidy.result == RESTRICTED and ids(subsidy) == ["JC-03"]
    [trigger] = subsidy.applied[0].triggers
    assert (trigger["record_id"], trigger["position"], trigger["until"]) == ("dishonesty_listing-1", 1, "2028-06-01")
    assert ids(ask(records, "consumption")) == ["JC-09"]


def test_high_consumption_ban_is_for_court_defaulters_only():
    assert ask([listing("严重违法失信")], "consumption").result == NONE
    assert ask([listing("严重违法失信")], "procurement").result == RESTRICTED


def test_revoked_licence_penalty_bars_procurement_for_three_years_or_until_publicity_ends():
    revoked = fact("penalty", "2025-01-01", 1, categories=["吊销许可证件"], public_until="2027-06-01")
    outcome = ask([revoked], "procurement")
    assert ids(outcome) == ["JC-02"] and outcome.applied[0].until == "2027-06-01"
    long_public = fact("penalty", "2024-01-01", 2, categories=["罚款"], fine=250, public_until="2029-01-01")
    assert ask([long_public], "procurement").applied[0].until == "2027-01-01"  # decision + 36 months
    assert ask([fact("penalty", "2025-01-01", 3, fine=150)], "procurement").result == NONE
    too_old = fact("penalty", "2023-11-01", 4, categories=["吊销许可证件"], public_until="2026-12-01")
    assert ask([too_old], "procurement").result == NONE


def test_broken_commitment_rules_out_approval_by_commitment():
    outcome = ask([fact("commitment", "2026-02-01", fulfilment="未履约")], "approval")
    assert ids(outcome) == ["JC-07"] and outcome.applied[0].until == "2029-02-01"


def test_red_list_and_grade_a_bring_incentives():
    tax_a = fact("red_list", "2026-04-15", 1, list_type="纳税信用A级纳税人", public_until="2027-04-15")
    approval = ask([tax_a], "approval")
    assert approval.result == INCENTIVES and ids(approval) == ["JL-01", "JL-02"]
    assert ids(ask([tax_a], "financing")) == ["JL-04"]
    inspection = ask([], "inspection", grade="A")
    assert inspection.result == INCENTIVES and inspection.applied[0].triggers == [{"grade": "A"}]
    assert ids(ask([], "inspection", grade="D")) == ["JC-13"]


def test_incentives_are_withheld_while_any_punishment_applies():
    tax_a = fact("red_list", "2026-04-15", 1, list_type="纳税信用A级纳税人", public_until="2027-04-15")
    outcome = ask([tax_a, fact("anomaly_listing", "2026-05-10", 2)], "approval")
    assert outcome.result == NONE and outcome.applied == []
    assert [a.measure["id"] for a in outcome.withheld] == ["JL-01", "JL-02"]


def test_one_measure_can_be_asked_by_its_id_and_unknown_names_are_refused():
    records = [listing("失信被执行人")]
    assert ids(ask(records, "JC-09")) == ["JC-09"]
    assert ids(ask(records)) == ["JC-01", "JC-03", "JC-04", "JC-06", "JC-09", "JC-10", "JC-11", "JC-12", "JC-20"]
    with pytest.raises(UnknownMeasureError) as raised:
        ask(records, "lottery")
    assert "subsidy" in raised.value.choices and "JC-01" in raised.value.choices


def test_measures_apply_only_while_in_force():
    assert ask([listing("失信被执行人")], "consumption", today=dt.date(2015, 1, 1)).result == NONE


def test_a_statistics_fraud_listing_restricts_subsidies_financing_and_honours():
    """统计造假: the statistics bureau's serious-dishonesty list type triggers the existing measures (issue 20)."""
    records = [listing("统计严重失信")]
    assert ids(ask(records, "subsidy")) == ["JC-03"]
    assert ids(ask(records, "financing")) == ["JC-10"]
    assert ids(ask(records, "honours")) == ["JC-11"]
