"""The lender's fuller report (信易贷): the public report, plus what the rules let a consented lender see.

A read is a command: it finds the consent it rests on (the one cited, or the firm's consent to this
lender in force today), records a `LenderRead` in the log before anything is answered, and only then
answers. Without a consent in force the read is recorded as refused, with why, and the lender gets a
403 with nothing about the firm. The content is the public report exactly as the report builder makes
it (projections/reports.py: publicity is decided there, by projections/public.py), and beside it the
records the rules of schemas/lending.json admit (projections/lender_reports.py), the credit-risk grade
and the joint-punishment check for financing (application/supervision.py, `answer`). The answer is
signed with the log's Ed25519 key over ``b"gongshi-lender-report-v1\\n"`` + the canonical JSON of the
`signed` object (domain/reports.py's canonical form), and its digest is in the read's event.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from application.lending import Lending
from application.reports import Reports
from application.supervision import Supervision
from domain import reports
from domain.consents import GRANTED, Consent, LenderRead, refused
from domain.errors import NotFoundError
from domain.lenders import credit_code, rules
from projections import heads
from projections.lender_reports import beyond_public
from projections.public import Moment
from projections.queries import NotPublic
from projections.supervision import load_subjects

MESSAGE_PREFIX = b"gongshi-lender-report-v1\n"


class LenderReports:
    def __init__(self, lending: Lending, reports_: Reports, supervision: Supervision):
        self.lending, self.reports, self.supervision = lending, reports_, supervision
        self.ledger = lending.ledger

    def _consent(self, lender: str, firm: str, cited: str | None, today: dt.date) -> tuple[Consent | None, str | None]:
        """(the consent the read rests on, None), or (the consent cited, else the newest one the firm gave this lender,
        or None; why it does not suffice)."""
        if cited:
            consent = self.lending.consent(cited)
            if consent is None:
                return None, "no_consent"
            return consent, consent.refusal(lender, firm, today)
        held = self.lending.consents_between(lender, firm)
        in_force = [c for c in held if c.status(today) == GRANTED]
        if in_force:
            return in_force[0], None
        return (held[0], held[0].refusal(lender, firm, today)) if held else (None, "no_consent")

    def _record(self, lender: Any, reader: str, firm: str, consent: Consent | None, reason: str | None,
                moment: Moment, gist: dict[str, Any]) -> tuple[str, int]:
        read = LenderRead(lender_code=lender.credit_code, lender_name=lender.name, reader=reader, credit_code=firm,
                          consent_id=str(consent.id) if consent else None,
                          outcome="refused" if reason else "served", reason=reason,
                          moment={"position": moment.position, "today": moment.today}, gist=gist)
        position = self.ledger.save(read)[-1].notification.id
        self.lending.catch_up()  # the firm sees the read at once
        return str(read.id), position

    def read(self, lender_code: str, reader: str, raw_code: str, cited: str | None, moment: Moment) -> dict[str, Any]:
        """The fuller report of a firm for a registered lender, recorded first; 403 (recorded) without consent."""
        lender = self.lending.lender(lender_code)
        firm = credit_code(raw_code, "credit_code", "统一社会信用代码")
        today = dt.date.fromisoformat(moment.today)
        consent, reason = self._consent(lender.credit_code, firm, cited, today)
        if reason is not None:
            self._record(lender, reader, firm, consent if reason not in ("other_firm", "other_lender") else None,
                         reason, moment, {})
            raise refused(reason)
        assert consent is not None
        try:
            prepared = self.reports.prepare(firm, moment)
        except NotPublic:
            raise NotFoundError("credit_code", "not_found", f"没有找到主体“{firm}”的信用信息",
                                f"no credit information about {firm}") from None
        at = prepared.moment
        content = {
            "format": rules()["lender_report"]["format"],
            "report": prepared.content,
            "beyond_public": beyond_public(self.reports.sources.db, firm, at),
            **self._supervision(firm, at),
        }
        digest = reports.content_digest(content)
        gist = {"content_sha256": digest, "report_sha256": prepared.digest,
                "beyond_public": {k: len(v["items"]) for k, v in content["beyond_public"].items()},
                "grade": (content["grade"] or {}).get("grade"), "financing_result": content["financing_check"]["result"]}
        read_id, position = self._record(lender, reader, firm, consent, None, at, gist)
        signed = {"read_id": read_id, "read_position": position, "lender_code": lender.credit_code,
                  "credit_code": firm, "consent_id": str(consent.id), "position": at.position, "today": at.today,
                  "content_sha256": digest}
        signer = self.reports.sources.integrity.signer
        assert signer is not None
        return {"lender_report": content, "consent": consent.as_dict(today), "read": signed,
                "signature": heads.sign_message(signer.key, MESSAGE_PREFIX + reports.canonical(signed)),
                "public_key": signer.public_pem}

    def _supervision(self, firm: str, moment: Moment) -> dict[str, Any]:
        """The internal grade and the joint-punishment check for financing, at the report's moment."""
        today = dt.date.fromisoformat(moment.today)
        subject = load_subjects(self.reports.sources.db, [firm], moment).get(firm)
        business = rules()["lender_report"]["measures_business"]
        answer = self.supervision.answer(subject, business, today)
        grade = self.supervision.rules.grade(subject, today).as_dict() if subject else None
        check = {k: answer[k] for k in ("result", "measures", "withheld_incentives")}
        return {"grade": grade, "financing_check": {"business": business, **check}}
