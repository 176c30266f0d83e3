"""/scorecards (the ranking, with the method), /scorecards/{code} (a department's months, a bar per figure) and their
JSON twins /api/v1/scorecards and /api/v1/scorecards/{code}: computed from the ledger's read models
(projections/scorecards.py), cached by log position and day."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request

from projections import scorecards
from projections.public import Moment
from web.disclosure.public import department_of_path
from web.portal import answers
from web.portal.api import json_endpoint
from web.portal.pages import page_endpoint


async def load_ranking(request: Request) -> dict[str, Any]:
    return await answers.read_now(request, lambda platform, moment: {
        "today": moment.today, "departments": scorecards.ranking(platform.views_db, moment.today)})


async def load_scorecard(request: Request) -> dict[str, Any]:
    department = department_of_path(request)

    def read(platform: Any, moment: Moment) -> dict[str, Any]:
        card = scorecards.scorecard(platform.views_db, department["code"], moment.today)
        peak = max((m["recorded_total"] for m in card["months"]), default=0) or 1
        for m in card["months"]:
            m["bar"] = round(100 * m["recorded_total"] / peak)
        return {"name": department["name"], "today": moment.today, **card}

    return await answers.read_now(request, read)


ranking_answer = answers.cached(load_ranking)
scorecard_answer = answers.cached(load_scorecard)
ranking_json = json_endpoint(ranking_answer)
ranking_page = page_endpoint("scorecards/ranking.html", ranking_answer)
scorecard_json = json_endpoint(scorecard_answer)
scorecard_page = page_endpoint("scorecards/department.html", scorecard_answer)
