"""/scorecards (the ranking, with the method), /scorecards/{code} (a department's months, a bar per figure) and their
JSON twins /api/v1/scorecards and /api/v1/scorecards/{code}: computed from the ledger's read models
(projections/scorecards.py), cached by log position and day."""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from projections import scorecards
from projections.public import Moment, reflected_position
from web.disclosure.public import department_of_path
from web.portal import answers
from web.portal.api import json_endpoint
from web.portal.pages import page_endpoint


async def load_ranking(request: Request) -> dict[str, Any]:
    platform = request.app.state.platform
    moment = Moment.now(platform.clock())

    def read() -> dict[str, Any]:
        return {"today": moment.today, "departments": scorecards.ranking(platform.views_db, moment.today),
                "position": reflected_position(platform.views_db, moment), "as_of": None}

    return await run_in_threadpool(read)


async def load_scorecard(request: Request) -> dict[str, Any]:
    platform = request.app.state.platform
    department = department_of_path(request)
    moment = Moment.now(platform.clock())

    def read() -> dict[str, Any]:
        card = scorecards.scorecard(platform.views_db, department["code"], moment.today)
        peak = max((m["recorded_total"] for m in card["months"]), default=0) or 1
        for m in card["months"]:
            m["bar"] = round(100 * m["recorded_total"] / peak)
        return {"name": department["name"], "today": moment.today, **card,
                "position": reflected_position(platform.views_db, moment), "as_of": None}

    return await run_in_threadpool(read)


ranking_answer = answers.cached(load_ranking)
scorecard_answer = answers.cached(load_scorecard)
ranking_json = json_endpoint(ranking_answer)
ranking_page = page_endpoint("scorecards/ranking.html", ranking_answer)
scorecard_json = json_endpoint(scorecard_answer)
scorecard_page = page_endpoint("scorecards/department.html", scorecard_answer)
