"""Pages of credit information from society: the contributors' desk (log in, report, follow) and the public
registry of contributors with their track records. Departments verify in the existing reviewer pages."""
from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from domain.cases import Actor, workflows
from domain.contributions import CONTRIBUTION, categories
from domain.contributors import rules
from domain.errors import FieldError, ValidationFailed
from stores.accounts import AccountError
from stores.sessions import CONTRIBUTOR
from stores.uploads import UploadRejected
from web import sessions
from web.contributors.api import contribution_dict
from web.contributors.forms import FILES, from_form
from web.errors import errors_of, status_of
from web.firms.cases import today_of
from web.forms import (
    LoginRefused,
    SignedIn,
    case_form,
    checked_form,
    csrf_failed,
    login_page,
    redirect,
    render,
    to_login,
)
from web.uploads import store_files


async def _contributor(request: Request) -> Actor | None:
    session = await run_in_threadpool(sessions.current, request)
    return Actor.contributor_of(session.subject) if session and session.kind == CONTRIBUTOR else None


async def login(request: Request) -> Response:
    """A contributor signs in with its account (activated like a firm's) and must be on the credit office's register."""
    platform = request.app.state.platform

    def sign_in(form: Any) -> SignedIn:
        try:
            code = platform.accounts.login(form.get("credit_code", ""), form.get("password", ""))
            platform.contributions.contributor(code)
        except AccountError as e:
            raise LoginRefused(e.status, FieldError(e.field, e.code, e.zh, e.en)) from None
        except ValidationFailed as e:
            raise LoginRefused(403, e.errors[0]) from None
        return SignedIn(CONTRIBUTOR, code)

    return await login_page(request, "contributors/login.html", "/contributor", sign_in, kept=("credit_code",))


def _form_data(platform: Any, who: Actor, draft: dict[str, Any] | None = None,
               errors: list[FieldError] | None = None) -> dict[str, Any]:
    types = rules()
    labels = workflows()[CONTRIBUTION].status_labels
    mine = platform.contribution_views.of_contributor(who.contributor)
    rows = [{**r, "status_label": labels[r["status"]]} for r in mine]
    record = platform.contribution_views.track_records(who.contributor)
    return {"categories": list(categories().values()), "source_types": types["source_types"],
            "draft": draft or {"source": {}}, "errors": errors or [], "contributions": rows,
            "me": record[0] if record else None}


async def home(request: Request) -> Response:
    """GET: the report form and the contributor's own reports; POST: report, then back here with the number."""
    who = await _contributor(request)
    if who is None:
        return to_login(request, "/contributor/login")
    platform = request.app.state.platform
    if request.method == "GET":
        data = await run_in_threadpool(_form_data, platform, who)
        return await render(request, "contributors/home.html", {**data, "filed": request.query_params.get("filed")})
    form = await checked_form(request)
    if form is None:
        return await csrf_failed(request)
    draft = from_form(form)
    try:
        materials = await store_files(platform.uploads, form, FILES)
        number, _ = await run_in_threadpool(platform.contributions.report, who, draft, materials, today_of(request))
    except (ValidationFailed, UploadRejected) as exc:
        data = await run_in_threadpool(_form_data, platform, who, {"source": {}, **draft}, errors_of(exc))
        return await render(request, "contributors/home.html", data, status_of(exc))
    return redirect(request, f"/contributor?filed={number}")


async def case_page(request: Request) -> Response:
    """One of the contributor's own reports: its status, the verifying department, the decision and its reason."""
    who = await _contributor(request)
    if who is None:
        return to_login(request, "/contributor/login")
    outcome = await case_form(request, who, request.path_params["number"], None, "/contributor/cases/{number}",
                              "无法查看该报送")
    if isinstance(outcome, Response):
        return outcome
    case, errors, status = outcome
    return await render(request, "contributors/case.html",
                        {"case": contribution_dict(request, case, today_of(request)), "errors": errors}, status)


async def registry(request: Request) -> Response:
    """GET /contributors: who may report society-sourced information, and how much of it was confirmed."""
    rows = await run_in_threadpool(request.app.state.platform.contribution_views.track_records)
    return await render(request, "contributors/list.html", {"contributors": rows})
