"""Statistics: monthly counts by kind, district and department, grade distribution, downloads, charts."""
from __future__ import annotations

import csv
import io

import pytest
from starlette.testclient import TestClient

from projections.db import Database
from projections.statistics import Statistics, month_range
from tests.conftest import TODAY
from tests.records import SCJG, SW, entity, penalty
from tests.supervision_records import OTHER, dishonesty, red, submit
from web.app import create_app


@pytest.fixture
def loaded(platform):
    submit(platform,
           entity(),
           penalty(1, decision_date="2026-03-02"), penalty(2, decision_date="2026-03-20"),
           penalty(3, decision_date="2026-10-08"),
           penalty(4, decision_date="2026-10-09", procedure="简易程序", categories=["罚款"]),  # never published
           penalty(5, decision_date="2026-10-10"),
           penalty(6, decision_date="2023-01-05"),  # older than 24 months
           red(1, credit_code=OTHER), dishonesty(1, decision_date="2025-06-01"))
    submit(platform, {"kind": "penalty", "action": "withdraw", "reason": "复议撤销", "authority_code": SCJG,
                      "document_number": "本市监罚〔2024〕5号", "source_unit_code": SCJG})
    return platform


def test_month_range_covers_the_last_24_months():
    months = month_range(TODAY, 24)
    assert (months[0], months[-1], len(months)) == ("2024-12", "2026-11", 24)


def test_records_per_month_by_kind_district_and_department(loaded):
    stats, months = loaded.statistics, month_range(TODAY, 24)
    by_kind = stats.monthly("kind", TODAY)
    assert by_kind["months"] == months
    penalties = dict(zip(months, by_kind["series"]["penalty"]))
    assert (penalties["2026-03"], penalties["2026-10"], sum(penalties.values())) == (2, 1, 3)
    assert sum(by_kind["series"]["red_list"]) == sum(by_kind["series"]["dishonesty_listing"]) == 1
    assert list(by_kind["series"]) == ["penalty", "dishonesty_listing", "red_list"]  # most first
    assert {k: sum(v) for k, v in stats.monthly("district", TODAY)["series"].items()} == {"210504": 4, "210502": 1}
    assert {k: sum(v) for k, v in stats.monthly("department", TODAY)["series"].items()} == {SCJG: 4, SW: 1}


def test_grade_distribution_counts_every_graded_entity(loaded):
    grades = loaded.statistics.grades()
    assert grades["overall"] == {"A": 1, "B": 0, "C": 0, "D": 1}
    assert grades["by_district"]["210504"]["D"] == 1 and grades["by_district"]["210502"]["A"] == 1
    assert grades["computed_between"] == [TODAY.isoformat(), TODAY.isoformat()]


def test_turnaround_is_reported_as_unavailable_without_the_case_read_model(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'bare.sqlite'}")
    assert Statistics(db).turnaround(TODAY)["available"] is False


def test_statistics_page_has_svg_charts_and_the_numbers_download(loaded):
    with TestClient(create_app(loaded, follow=False)) as client:
        page = client.get("/supervision/statistics")
        assert page.status_code == 200 and page.text.count("<svg") == 4
        assert "近 24 个月各类信用信息数量" in page.text and "明山区" in page.text
        body = client.get("/supervision/statistics.csv")
        assert body.headers["content-type"].startswith("text/csv") and body.text.startswith("\ufeff")
        rows = list(csv.DictReader(io.StringIO(body.text.lstrip("\ufeff"))))
        assert {"dataset": "records_per_month", "dimension": "kind", "key": "penalty", "month": "2026-03",
                "count": "2", "label": "行政处罚"} in rows
        assert {"dataset": "grades", "dimension": "grade", "key": "D", "month": "", "count": "1", "label": "D"} in rows
        twin = client.get("/api/v1/statistics").json()
        assert twin["grades"]["overall"]["A"] == 1 and twin["records_per_month"]["kind"]["months"][-1] == "2026-11"
