"""Who is calling the 信易贷 endpoints: a firm (its browser session) or a lender (its token or session).

A lender's token (role `lender`) and session are bound to its credit code and act as that institution
only; a firm's writes from a script carry its session's CSRF token as the X-CSRF-Token header.
"""
from __future__ import annotations

from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from stores.sessions import FIRM, LENDER
from stores.tokens import LENDER as LENDER_ROLE
from web import sessions
from web.errors import error
from web.http import authenticate


@dataclass(frozen=True)
class Caller:
    """A firm or a lender, by credit code, and the identity its reads and writes are recorded under."""

    kind: str  # firm | lender
    code: str
    identity: str


def _csrf_refused() -> Response:
    return error(403, "csrf", "缺少或错误的 CSRF 令牌（X-CSRF-Token）", "missing or wrong CSRF token (X-CSRF-Token)")


async def caller(request: Request, *, write: bool, kinds: tuple[str, ...] = (FIRM, LENDER)) -> Caller | Response:
    """The firm or lender calling, or the 401/403 answer (a lender token where only a firm may act: 403)."""
    if request.headers.get("authorization") or request.headers.get("x-api-key"):
        principal = await authenticate(request, (LENDER_ROLE,))
        if isinstance(principal, Response):
            return principal
        if LENDER not in kinds:
            return error(403, "forbidden", "放款机构令牌不能代企业办理", "a lender token cannot act for a firm")
        return Caller(LENDER, principal.lender or "", principal.identity)
    session = await run_in_threadpool(sessions.current, request)
    if session is None or session.kind not in kinds:
        who = "企业账户" if kinds == (FIRM,) else ("放款机构账户或令牌" if kinds == (LENDER,) else "企业或放款机构账户")
        return error(401, "unauthenticated", f"请先登录（{who}）",
                     "log in as a firm" if kinds == (FIRM,) else "log in or use a lender API token")
    if write and not session.csrf_ok(request.headers.get(sessions.CSRF_HEADER)):
        return _csrf_refused()
    return Caller(session.kind, session.subject, f"{session.kind}:{session.subject}")
