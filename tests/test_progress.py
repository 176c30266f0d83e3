"""The plan's progress dashboard over real HTTP: every task of schemas/progress.json with the figure the data gives
it, the same in the page, its JSON and the assessor's XLSX; figures follow the ledger."""
from __future__ import annotations

import io

from openpyxl import load_workbook

import schemas
from tests.portal import client, submit
from tests.records import entity, penalty
from tests.supervision_records import dishonesty


def test_the_dashboard_measures_every_task_from_the_data_and_the_xlsx_says_the_same(platform):
    submit(platform, entity(), penalty(1, decision_date="2026-11-02"))
    with client(platform) as c:
        before = {t["id"]: t["figure"] for t in c.get("/api/v1/progress").json()["tasks"]}
        assert list(before) == [t["id"] for t in schemas.load("progress.json")["tasks"]]
        assert before["departments"]["value"] == 1 and before["lists"]["value"] == 0
        submit(platform, dishonesty(1, decision_date="2026-11-20"))
        after = {t["id"]: t["figure"] for t in c.get("/api/v1/progress").json()["tasks"]}
        assert after["lists"]["by_list"] == {"dishonesty_listing": 1} and after["departments"]["value"] == 1
        page = c.get("/progress").text
        assert 'data-task="lists"' in page and "建立经营异常名录" in page
        book = load_workbook(io.BytesIO(c.get("/progress.xlsx").content))
        rows = list(book["实施进度"].iter_rows(values_only=True))
        assert rows[0][:4] == ("方案部分", "任务", "度量", "数值") and len(rows) == len(after) + 1
        lists_row = next(r for r in rows if r[2] == "lists_in_force")
        assert lists_row[3] == 1
