"""Credit reports: gather the content, issue (number, purpose, signature, log anchor), verify by rebuilding.

Issuing is a command like any other: it stores one `CreditReport.Issued` event and returns
after the read models have caught up, so the report's number verifies at once and counts
in the statistics. Reading a report is not a privileged read (everything in it is public),
so nothing about the requester is recorded, only the purpose they stated.

A PDF is sealed the way PDF signatures cover their byte ranges: the renderer embeds the signed
JSON with two fixed-length placeholders (the PDF's digest and the signature); the digest of
those bytes goes into the issue, the issue is signed, and both values replace their
placeholders in place, so every other byte of the file is covered by the signature.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import IntegrityError

from application.ledger import Ledger
from domain import reports
from domain.reports import CreditReport
from projections import heads
from projections.issued_reports import IssuedReports
from projections.public import Moment
from projections.reports import ReportSources, build, pinned

#: The embedded JSON's two placeholders in a PDF before it is sealed (same length as the final values).
PDF_DIGEST_PLACEHOLDER = "0" * 64
SIGNATURE_PLACEHOLDER = "A" * 86 + "=="
Renderer = Callable[[dict[str, Any]], bytes]


class NotWitnessed(LookupError):
    """The integrity log has not reached the report's position yet (retry in a moment)."""


@dataclass(frozen=True)
class Prepared:
    """A report's content at a pinned moment, with its digest: what the HTML preview shows."""

    key: str
    moment: Moment
    content: dict[str, Any]
    digest: str


@dataclass(frozen=True)
class Issued:
    number: str
    envelope: dict[str, Any]  # the signed report JSON (domain/reports.py, gongshi_verify/report.py)
    pdf: bytes | None = None


class Reports:
    def __init__(self, ledger: Ledger, sources: ReportSources, views: IssuedReports, catch_up: Callable[[], None],
                 now: Callable[[], dt.datetime]):
        self.ledger, self.sources, self.views = ledger, sources, views
        self.catch_up, self.now = catch_up, now

    # -- reading -----------------------------------------------------------------------------------------
    def prepare(self, key: str, moment: Moment, format: str | None = None) -> Prepared:
        """The content of `key`'s report at the moment, in `format` (default the current one; a verification
        rebuilds an issued report in its own), queries.NotPublic when it has no public profile."""
        at = pinned(self.sources.db, moment)
        if self.sources.integrity.position() < (at.position or 0):
            self.catch_up()
        try:
            content = build(self.sources, key, at, format)
        except LookupError as e:
            if "integrity" in str(e):
                raise NotWitnessed(str(e)) from e
            raise
        return Prepared(key, at, content, reports.content_digest(content))

    def verify(self, number: str) -> dict[str, Any] | None:
        """An issued report rebuilt from the log: its signed JSON and whether the content is still the issued one."""
        row = self.views.one(number)
        if row is None:
            return None
        issue = row["issue"]
        prepared = self.prepare(row["entity_key"], Moment(row["position"], row["today"]), issue.get("format"))
        envelope = self._envelope(prepared.content, issue, self._sign(issue), self._anchor(prepared))
        return {"row": row, "envelope": envelope, "matches": prepared.digest == issue["content_sha256"]}

    # -- the command -------------------------------------------------------------------------------------
    def issue(self, prepared: Prepared, purpose: str | None, render: Renderer | None = None) -> Issued:
        """Number, sign and record a report (a PDF when `render` is given: it draws the envelope)."""
        purpose = reports.check_purpose(purpose)
        issued_at = self.now().replace(microsecond=0).isoformat()
        number = reports.new_number(issued_at[:10])
        issue = {
            "format": reports.config()["format"], "number": number, "issued_at": issued_at, "purpose": purpose,
            "entity_key": prepared.key, "position": prepared.moment.position, "today": prepared.moment.today,
            "content_sha256": prepared.digest, "parts": reports.part_digests(prepared.content),
            "log": prepared.content["log"], "document": reports.PDF_DOCUMENT if render else reports.JSON_DOCUMENT,
            "pdf_sha256": PDF_DIGEST_PLACEHOLDER if render else None,
        }
        pdf, anchor = None, self._anchor(prepared)
        if render is None:
            envelope = self._envelope(prepared.content, issue, self._sign(issue), anchor)
        else:
            placeholder = {**self._sign(issue), "value": SIGNATURE_PLACEHOLDER}
            draft = render(self._envelope(prepared.content, issue, placeholder, anchor))
            issue["pdf_sha256"] = reports.sha256_hex(draft)
            signature = self._sign(issue)
            pdf = _seal(draft, issue["pdf_sha256"], signature["value"])
            envelope = self._envelope(prepared.content, issue, signature, anchor)
        self._record(prepared, number, issue)
        return Issued(number, envelope, pdf)

    def _record(self, prepared: Prepared, number: str, issue: dict[str, Any]) -> None:
        subject = prepared.content["subject"]
        report = CreditReport(number=number, entity_key=prepared.key, credit_code=subject.get("credit_code"),
                              name=subject["name"], position=prepared.moment.position, today=prepared.moment.today,
                              issue=issue)
        try:
            self.ledger.save(report)
        except IntegrityError:  # ten random base32 characters collided on one day: vanishingly rare, say so
            raise RuntimeError(f"report number {number} exists already; issue again") from None
        self.catch_up()

    # -- signing -----------------------------------------------------------------------------------------
    def _sign(self, issue: dict[str, Any]) -> dict[str, str]:
        signer = self.sources.integrity.signer
        if signer is None:
            raise LookupError("this instance has no signing key")
        return heads.sign_message(signer.key, reports.issue_message(issue))

    def _anchor(self, prepared: Prepared) -> dict[str, Any]:
        """The signed head covering the report's tree, and the proof that the report's tree is its prefix."""
        head, path = self.sources.integrity.head_covering(prepared.content["log"]["tree_size"])
        return {"head": head, "consistency_path": path}

    def _envelope(self, content: dict[str, Any], issue: dict[str, Any], signature: dict[str, str],
                  anchor: dict[str, Any]) -> dict[str, Any]:
        signer = self.sources.integrity.signer
        assert signer is not None
        return {"report": content, "issue": issue, "signature": signature,
                "log": anchor, "public_key": signer.public_pem}


def _seal(draft: bytes, pdf_digest: str, signature: str) -> bytes:
    """The draft PDF with its two placeholders replaced in place (each must occur exactly once)."""
    out = draft
    for old, new in ((f'"pdf_sha256":"{PDF_DIGEST_PLACEHOLDER}"', f'"pdf_sha256":"{pdf_digest}"'),
                     (f'"value":"{SIGNATURE_PLACEHOLDER}"', f'"value":"{signature}"')):
        if out.count(old.encode()) != 1:
            raise ValueError(f"the draft PDF must hold {old[:20]}... exactly once (is the report JSON embedded "
                             "uncompressed?)")
        out = out.replace(old.encode(), new.encode())
    return out
