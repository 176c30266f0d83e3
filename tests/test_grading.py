"""Credit-risk grades: hand-computed scores under the model in schemas/grading.json, and the projection.

The model (benxi-2026): base 80; A >= 85, B >= 70, C >= 55, else D. Penalty: minor -2,
general -6, serious -15, plus the fine band (>=100: -10, >=10: -5, >=1: -2), decayed by age
(under 12 months x1, 24 x0.5, 36 x0.25, then 0). Dishonesty list -40 (at most D), anomaly list
-15 (at most C), broken commitment -10 (decayed), kept commitment +2 (cap 4), red list +8,
tax grade A +10 (cap 12), licence in force +1 (cap 3), licence revoked (吊销) -20 (at most C).
"""
from __future__ import annotations

import datetime as dt
from uuid import UUID

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from domain import grading
from domain.audit import PrivilegedRead
from domain.inspections import draw, population_digest, ticket
from gongshi.cli import main
from gongshi.cli_supervision import next_run
from gongshi.platform import Platform
from domain.clock import CHINA
from schemas import supervision as config
from tests.conftest import TODAY
from tests.records import COMPANY, SCJG, entity, penalty
from tests.supervision_records import OTHER, anomaly, anomaly_removal, dishonesty, fact, red, submit
from web.app import create_app

MODEL = grading.model_for(config.grading(), TODAY)
GENERAL = {"severity": "general"}
SERIOUS = {"severity": "serious"}


def grade(records, entity_status=None, today=TODAY):
    subject = {"entity_key": COMPANY, "status": entity_status, "versions": []}
    return grading.grade_entity(MODEL, subject, records, today)


def test_an_entity_without_records_is_b_at_the_base_score():
    assert (grade([]).grade, grade([]).score) == ("B", 80)


@pytest.mark.parametrize(("decided", "score"), [
    ("2026-03-01", 72),   # under 12 months: -6 general, -2 fine band (2 万元)
    ("2025-06-01", 76),   # 17 months: half
    ("2024-01-01", 78),   # 34 months: a quarter
    ("2023-11-24", 80),   # 36 months and a day: stops counting
])
def test_a_penalty_weighs_less_as_it_ages(decided, score):
    g = grade([fact("penalty", decided, fine=2, publicity=GENERAL)])
    assert g.score == score and g.grade == "B"


def test_several_penalties_and_a_large_fine_make_d():
    records = [fact("penalty", "2026-03-01", 1, fine=2, publicity=GENERAL),
               fact("penalty", "2026-05-01", 2, fine=2, publicity=GENERAL),
               fact("penalty", "2026-07-01", 3, fine=150, publicity=SERIOUS)]
    g = grade(records)
    assert g.score == 80 - 8 - 8 - 25 == 39 and g.grade == "D"
    [penalties] = g.indicators
    assert [r["record_id"] for r in penalties.counted] == ["penalty-1", "penalty-2", "penalty-3"]
    assert [r["points"] for r in penalties.counted] == [-8, -8, -25]


def test_red_list_licences_and_kept_commitments_make_a_with_caps():
    records = [fact("red_list", "2026-04-15", 1, list_type="纳税信用A级纳税人"),
               *(fact("license", "2025-01-10", n, valid_from="2025-01-10", valid_to="2030-01-09") for n in range(2, 6)),
               *(fact("commitment", "2026-01-01", n, fulfilment="已履约") for n in range(6, 9))]
    g = grade(records)
    assert {i.id: i.points for i in g.indicators} == {"kept_commitment": 4, "red_list": 10, "license": 3}
    assert g.score == 97 and g.grade == "A"


def test_expired_or_invalid_licences_do_not_count():
    records = [fact("license", "2020-01-10", 1, valid_from="2020-01-10", valid_to="2025-01-09"),
               fact("license", "2025-01-10", 2, valid_from="2025-01-10", valid_to="2030-01-09", state="2")]
    assert grade(records).score == 80


def test_anomaly_listing_caps_the_grade_at_c_whatever_the_score():
    g = grade([fact("anomaly_listing", "2026-05-10", 1), fact("red_list", "2026-04-15", 2, list_type="纳税信用A级纳税人")])
    assert g.score == 75 and g.grade == "C" and g.limited_by == ["anomaly_listing"]


def test_dishonesty_listing_makes_d():
    g = grade([fact("dishonesty_listing", "2025-06-01", 1, list_type="严重违法失信")])
    assert (g.score, g.grade) == (40, "D")


def test_broken_commitment_counts_and_revoked_licence_caps_at_c():
    assert grade([fact("commitment", "2026-01-01", fulfilment="未履约")]).score == 70
    g = grade([fact("red_list", "2026-04-15", list_type="纳税信用A级纳税人")], entity_status="吊销")
    assert (g.score, g.grade, g.limited_by) == (70, "C", ["registration"])


@pytest.mark.parametrize(("score", "letter"), [(85, "A"), (84.99, "B"), (70, "B"), (55, "C"), (54.99, "D")])
def test_grade_thresholds_are_inclusive_lower_bounds(score, letter):
    assert grading.grade_for_score(MODEL, score) == letter


def test_inspection_quota_rounds_up():
    assert [grading.inspection_quota(0.05, n) for n in (0, 1, 20, 21, 100)] == [0, 1, 1, 2, 5]


def test_draw_is_reproducible_from_the_seed_and_differs_with_another_seed():
    population = {"A": [f"A{i:03d}" for i in range(50)], "B": [f"B{i:03d}" for i in range(200)], "C": [], "D": ["D1"]}
    ratios = config.grading()["inspection"]["ratios"]
    first, again, other = draw(population, ratios, "s1"), draw(population, ratios, "s1"), draw(population, ratios, "s2")
    assert first == again and first != other
    assert [len(first[g]) for g in "ABCD"] == [1, 10, 0, 1]
    assert first["B"] == sorted(population["B"], key=lambda k: ticket("s1", k))[:10]
    assert population_digest(population) == population_digest({g: list(reversed(k)) for g, k in population.items()})


# -- the projection, on SQLite and PostgreSQL ---------------------------------------------------------------

def stored(platform, key=COMPANY):
    return platform.grades.of(key)


def test_grade_follows_the_records_as_they_change(platform):
    submit(platform, entity(), penalty(1, decision_date="2026-03-01"))
    row = stored(platform)
    assert (row["grade"], row["score"], row["today"]) == ("B", 72, TODAY.isoformat())
    [indicator] = row["explanation"]["indicators"]
    assert indicator["id"] == "penalty" and indicator["records"][0]["document_number"] == "本市监罚〔2024〕1号"
    assert row["position"] == platform.ledger.position()

    submit(platform, penalty(2, decision_date="2026-04-01"), anomaly(1))
    assert (stored(platform)["grade"], stored(platform)["score"]) == ("D", 80 - 8 - 8 - 15)

    submit(platform, {"kind": "penalty", "action": "withdraw", "reason": "决定被撤销", "authority_code": SCJG,
                      "document_number": "本市监罚〔2024〕2号", "source_unit_code": SCJG},
           anomaly_removal(1, decision_date="2026-08-01"))
    assert (stored(platform)["grade"], stored(platform)["score"]) == ("B", 72)


def test_a_dishonesty_listing_that_expired_stops_counting(platform):
    submit(platform, dishonesty(1, decision_date="2023-11-01"), dishonesty(2, decision_date="2024-01-01",
                                                                             credit_code=OTHER))
    assert stored(platform)["grade"] == "B"  # listed 3 years: off the list since 2026-11-01
    assert stored(platform, OTHER)["grade"] == "D"


def test_regrade_all_applies_the_passing_of_time(platform):
    submit(platform, penalty(1, decision_date="2026-03-01"), red(1, credit_code=OTHER, valid_to="2027-04-14"))
    assert (stored(platform)["score"], stored(platform, OTHER)["grade"]) == (72, "A")
    later = dt.date(2027, 5, 1)  # the penalty is 14 months old, the red list has expired
    assert platform.grades.regrade_all(later) == 2
    assert (stored(platform)["score"], stored(platform)["today"]) == (76, "2027-05-01")
    assert stored(platform, OTHER)["grade"] == "B"
    assert platform.grades.last_regrade()["entities"] == 2


def test_warnings_are_stored_with_the_grade(platform):
    submit(platform, *(penalty(n, decision_date=f"2026-0{n}-01") for n in (1, 2, 3)))
    row = stored(platform)
    assert [w["rule"] for w in row["warnings"]] == ["W01"] and row["warning_count"] == 1
    assert len(row["warnings"][0]["records"]) == 3


def test_grade_api_explains_itself_and_records_the_read(platform):
    submit(platform, entity(), penalty(1, decision_date="2026-03-01"))
    token = platform.tokens.create(department=SCJG, role="reviewer")
    with TestClient(create_app(platform, follow=False)) as client:
        assert client.get(f"/api/v1/grades/{COMPANY}").status_code == 401
        body = client.get(f"/api/v1/grades/{COMPANY}", headers={"Authorization": f"Bearer {token}"}).json()
        read = platform.ledger.repository.get(UUID(body["recorded_as"]["read_id"]))
    assert (body["grade"], body["score"]) == ("B", 72)
    assert body["explanation"]["indicators"][0]["records"][0]["points"] == -8
    assert isinstance(read, PrivilegedRead) and (read.action, read.subject) == ("supervision.grade", COMPANY)


def test_grades_recompute_command_regrades_for_the_given_day(settings, monkeypatch):
    seeded = Platform(settings, today=TODAY)
    submit(seeded, penalty(1, decision_date="2026-03-01"))
    seeded.close()
    monkeypatch.setenv("GONGSHI_HOME", str(settings.home))
    for name, value in (("GONGSHI_DATABASE_URL", settings.database_url), ("GONGSHI_DB_SCHEMA", settings.schema)):
        monkeypatch.setenv(name, value or "")
    result = CliRunner().invoke(main, ["grades", "recompute", "--today", "2027-05-01"])
    assert result.exit_code == 0, result.output
    assert "graded 1 entities for 2027-05-01" in result.output
    again = Platform(settings)
    try:
        assert (again.grades.of(COMPANY)["score"], again.grades.of(COMPANY)["today"]) == (76, "2027-05-01")
    finally:
        again.close()


def test_nightly_regrade_runs_at_the_configured_china_time():
    at = dt.time(2, 30)
    before = dt.datetime(2026, 11, 25, 1, 0, tzinfo=CHINA)
    assert next_run(before, at) == dt.datetime(2026, 11, 25, 2, 30, tzinfo=CHINA)
    assert next_run(dt.datetime(2026, 11, 25, 2, 30, tzinfo=CHINA), at) == dt.datetime(2026, 11, 26, 2, 30, tzinfo=CHINA)
    assert next_run(dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC), at) == dt.datetime(2026, 11, 26, 2, 30, tzinfo=CHINA)
