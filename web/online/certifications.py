"""Trusted-site certification (可信认证), public: /certifications/{credit_code} and its JSON twin
/api/v1/certifications/{credit_code}. Evaluated at each (cached by log position and day) reading from the
current records (domain/certification.py), so a listing or a new penalty withdraws it at the next read."""
from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request

from domain import certification
from domain.codes import CodeError, normalise, validate_credit_code
from projections import online as views
from projections.public import Moment
from web.params import PublicError
from web.portal import answers
from web.portal.api import json_endpoint
from web.portal.pages import page_endpoint


async def load_certification(request: Request) -> dict[str, Any]:
    raw = request.path_params["credit_code"]
    try:
        code = validate_credit_code(normalise(raw))[0]
    except CodeError as e:
        raise PublicError(400, "bad_parameter", e.zh, e.en, field="credit_code") from None

    def read(platform: Any, moment: Moment) -> dict[str, Any]:
        presences = [p for p in views.presences_of(platform.views_db, code) if p["status"] == "confirmed"]
        if not presences:
            raise PublicError(404, "not_an_online_operator", f"{code} 没有已核实的网店或网站，不参加电子商务网站可信认证",
                              f"{code} has no confirmed online shop or website, so no certification",
                              field="credit_code")
        facts = views.certification_facts(platform.views_db, [code], moment)[code]
        verdict = certification.evaluate(facts, dt.date.fromisoformat(moment.today))
        return {"credit_code": code, "name": presences[0]["operator_name"], **verdict,
                "title": certification.rules()["title"], "today": moment.today,
                "presences": [{k: p[k] for k in ("presence_key", "type", "name", "url", "category", "mark_id")}
                              for p in presences],
                "registration_status": facts.status}

    return await answers.read_now(request, read)


certification_answer = answers.cached(load_certification)
certification_json = json_endpoint(certification_answer)
certification_page = page_endpoint("online/certification.html", certification_answer)
