"""`gongshi import --kind annual_report`: paper reports entered by the registration department, JSON Lines or
CSV with the form's flat columns; a bad line is refused alone with its reasons, a re-import stores nothing twice."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from domain.codes import make_credit_code
from gongshi.config import Settings
from gongshi.platform import Platform
from projections.public import Moment
from tests.records import COMPANY, SCJG, entity
from tests.test_annual_reports import report
from tests.test_import import run_cli

OTHER = make_credit_code("91", "210504", "MA0XK4F3")


def _home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    platform = Platform(Settings(home=home))
    platform.records.submit([entity()], department=SCJG, submitter="test")
    platform.close()
    return home


def test_paper_reports_import_from_json_lines_with_the_day_they_were_received(tmp_path):
    home = _home(tmp_path)
    lines = [{**report(), "filed_on": "2026-03-02"},
             {**report(year=2024, employees=-2), "filed_on": "2025-04-01"},  # refused: negative headcount
             {**report(year=2024), "filed_on": "2025-04-01"}]
    path = tmp_path / "reports.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    done = run_cli("import", str(path), "--kind", "annual_report", "--department", SCJG, home=home)
    assert done.returncode == 1, done.stderr
    assert "3 records: 2 accepted, 0 already present, 1 rejected" in done.stdout
    rejected = [json.loads(x) for x in (tmp_path / "reports.jsonl.rejects.jsonl").read_text("utf-8").splitlines()]
    assert [(r["line"], r["errors"][0]["field"]) for r in rejected] == [(2, "employees")]
    platform = Platform(Settings(home=home))
    try:
        filed = platform.annual_report_views.of_entity(COMPANY, Moment.now())
        assert [(r["year"], r["filed_on"], r["channel"], r["late"]) for r in filed] == [
            (2025, "2026-03-02", "paper", False), (2024, "2025-04-01", "paper", False)]
    finally:
        platform.close()
    again = run_cli("import", str(path), "--kind", "annual_report", "--department", SCJG, home=home)
    assert "2 already present" in again.stdout


def test_paper_reports_import_from_csv_with_flat_column_names(tmp_path):
    home = _home(tmp_path)
    path = tmp_path / "reports.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["year", "credit_code", "name", "address", "postal_code", "phone", "business_status",
                         "employees", "has_website", "contributions.0.shareholder", "contributions.0.subscribed",
                         "contributions.0.paid_in", "financials.revenue", "public_items", "filed_on"])
        writer.writerow(["2025", COMPANY, "本溪市明山区恒达建材有限公司", "本溪市明山区新明路12号", "117000", "13812345678",
                         "开业", "23", "否", "王建国", "300", "300", "2300", "revenue；employees", "2026-05-06"])
        writer.writerow(["2025", OTHER, "本溪市明山区某某公司", "本溪市", "117000", "13812345679", "开业", "3", "否",
                         "张三", "10", "20", "", "", "2026-05-06"])  # paid-in above subscribed
    done = run_cli("import", str(path), "--kind", "annual_report", "--department", SCJG, home=home)
    assert "2 records: 1 accepted, 0 already present, 1 rejected" in done.stdout, done.stdout + done.stderr
    rejected = json.loads((tmp_path / "reports.csv.rejects.jsonl").read_text("utf-8").splitlines()[0])
    assert rejected["errors"][0]["field"] == "contributions[0].paid_in"
    platform = Platform(Settings(home=home))
    try:
        public = platform.annual_report_views.one(COMPANY, 2025, Moment.now())["public"]
        assert public["financials"] == {"revenue": "2300"} and public["employees"] == 23
        assert public["has_website"] is False and "phone" not in public
    finally:
        platform.close()


def test_importing_annual_reports_needs_the_registration_department(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(report(), ensure_ascii=False) + "\n", encoding="utf-8")
    done = run_cli("import", str(path), "--kind", "annual_report", home=tmp_path / "home")
    assert done.returncode == 2 and "--department" in done.stderr
