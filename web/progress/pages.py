"""/progress (the page), /api/v1/progress (JSON) and /progress.xlsx (for the assessor): each task of the plan with
the figure the data gives it and how it is measured (schemas/progress.json, projections/progress.py). Cached by
log position and day; the workbook is written with xlsxwriter in memory."""
from __future__ import annotations

import io
import json
from typing import Any

import xlsxwriter
from starlette.requests import Request
from starlette.responses import Response

from projections import progress
from projections.public import Moment
from web.portal import answers
from web.portal.api import json_endpoint
from web.portal.pages import page_endpoint


def headline(figure: dict[str, Any]) -> str:
    """The figure in one phrase: "22 / 22（100.0%）", or the count."""
    if "of" in figure:
        share = f"（{figure['share'] * 100:.1f}%）" if figure.get("share") is not None else ""
        return f"{figure['value']} / {figure['of']}{share}"
    return str(figure["value"])


def details(figure: dict[str, Any]) -> str:
    rest = {k: v for k, v in figure.items() if k not in ("value", "of", "share")}
    return json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else ""


async def load_progress(request: Request) -> dict[str, Any]:
    def read(platform: Any, moment: Moment) -> dict[str, Any]:
        tasks = progress.progress(platform.views_db, moment.today)
        for t in tasks:
            t["headline"], t["details"] = headline(t["figure"]), details(t["figure"])
        return {"today": moment.today, "tasks": tasks}

    return await answers.read_now(request, read)


progress_answer = answers.cached(load_progress)
progress_json = json_endpoint(progress_answer)
progress_page = page_endpoint("progress/progress.html", progress_answer)


async def progress_xlsx(request: Request) -> Response:
    data = (await progress_answer(request)).data
    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False}) as book:
        book.set_properties({"title": "本溪市大数据服务和监管实施方案 实施进度", "author": "公示 · 本溪市公共信用信息平台"})
        bold = book.add_format({"bold": True})
        sheet = book.add_worksheet("实施进度")
        heads = ("方案部分", "任务", "度量", "数值", "基数", "比例", "口径", "明细", "统计日期", "日志位置")
        for i, title in enumerate(heads):
            sheet.write_string(0, i, title, bold)
        widths = (8, 60, 24, 10, 10, 10, 50, 60, 12, 10)
        for i, w in enumerate(widths):
            sheet.set_column(i, i, w)
        for row, t in enumerate(data["tasks"], start=1):
            f = t["figure"]
            sheet.write_string(row, 0, t["section"])
            sheet.write_string(row, 1, t["task"])
            sheet.write_string(row, 2, t["metric"])
            sheet.write_number(row, 3, f["value"])
            if "of" in f:
                sheet.write_number(row, 4, f["of"])
            if f.get("share") is not None:
                sheet.write_number(row, 5, f["share"])
            sheet.write_string(row, 6, t["method"])
            sheet.write_string(row, 7, t["details"])
            sheet.write_string(row, 8, data["today"])
            sheet.write_number(row, 9, data["position"])
    return Response(out.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="progress-{data["today"]}.xlsx"'})
