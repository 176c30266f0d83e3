"""Offline check of a Gongshi credit report (信用报告): ``python -m gongshi_verify report FILE.pdf|FILE.json``.

Self-contained like the log verifier: the standard library, `cryptography`, and for a PDF `pypdf` (to read the
attached report.json). It re-implements the rules of the report format v1 from their specification:

- canonical JSON = UTF-8 of ``json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
- ``issue.content_sha256`` = SHA-256 of canonical ``report``; ``issue.parts[name]`` = SHA-256 of canonical
  ``report[name]``
- ``signature.value`` = base64 Ed25519 over ``b"gongshi-credit-report-v1\\n"`` + canonical ``issue``, by the key
  whose raw 32 bytes hash (SHA-256) to ``signature.key_id``: the instance's log key (/api/v1/log/key)
- ``log.head`` is a signed tree head (see the package docstring) and ``log.consistency_path`` the RFC 9162
  consistency proof from the tree of ``report.log`` (size, root) to it
- a PDF carries the JSON as the attachment ``report.json``; ``issue.pdf_sha256`` is the SHA-256 of the file's
  bytes with the two values ``"pdf_sha256":"<hex>"`` and ``"value":"<signature>"`` (each found exactly once)
  replaced by 64 zeros and by 86 ``A`` followed by ``==``

Exit status 0 when every check passed, 1 when one failed (each failure is named), 2 when the file is unreadable.
"""
from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import io
import json
import sys
from collections.abc import Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature

from gongshi_verify.verifier import VerificationError, _key_id, _public_key, verify_consistency, verify_head

FORMAT = "gongshi-credit-report-v1"
#: The content formats this verifier knows: v2 adds the part product_quality; both sign and digest as v1.
FORMATS = (FORMAT, "gongshi-credit-report-v2")
MESSAGE_PREFIX = b"gongshi-credit-report-v1\n"
ATTACHMENT = "report.json"
PDF_DIGEST_PLACEHOLDER = "0" * 64
SIGNATURE_PLACEHOLDER = "A" * 86 + "=="


def check_signature(key: Any, signature: dict[str, Any], message: bytes, *, pinned: bool, what: str,
                    changed: str) -> tuple[list[str], list[str]]:
    """(passed, failed) of a signed statement's two checks: signed by this key (its id), and the signature holds
    over `message`. The mark verifier shares it."""
    passed, failed = [], []
    if signature.get("key_id") != _key_id(key):
        failed.append(f"the {what.split()[0]} was signed by key {str(signature.get('key_id'))[:16]}..., not by "
                      f"{'the pinned key' if pinned else 'the key it carries'} {_key_id(key)[:16]}...")
    try:
        key.verify(base64.b64decode(signature.get("value", ""), validate=True), message)
        passed.append(f"signature by key {_key_id(key)[:16]}... over {what}")
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        failed.append(f"the signature does not verify: {changed} or signed by another key")
    return passed, failed


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attached_report(pdf: bytes) -> bytes:
    """The bytes of the PDF's report.json attachment."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as error:
        raise VerificationError("reading a PDF needs pypdf (pip install pypdf), or give the report's JSON") from error
    try:
        attachments = PdfReader(io.BytesIO(pdf)).attachments
        found = attachments.get(ATTACHMENT)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise VerificationError(f"the PDF cannot be read: {error}") from error
    if not found:
        raise VerificationError(f"the PDF has no {ATTACHMENT} attachment: it is not a Gongshi credit report")
    return found[0]


def check_pdf_seal(pdf: bytes, envelope: dict[str, Any]) -> str | None:
    """None when the file's bytes are the sealed ones, else what differs."""
    issue = envelope.get("issue", {})
    digest, signature = issue.get("pdf_sha256"), envelope.get("signature", {}).get("value")
    if not isinstance(digest, str) or not isinstance(signature, str):
        return "the attached report names no PDF digest: it was issued as JSON, not as this PDF"
    draft = pdf
    for value, placeholder in ((f'"pdf_sha256":"{digest}"', f'"pdf_sha256":"{PDF_DIGEST_PLACEHOLDER}"'),
                               (f'"value":"{signature}"', f'"value":"{SIGNATURE_PLACEHOLDER}"')):
        count = draft.count(value.encode())
        if count != 1:
            return f"the PDF holds {value[:24]}... {count} times instead of once: the file was rewritten"
        draft = draft.replace(value.encode(), placeholder.encode())
    actual = _sha256(draft)
    if actual != digest:
        return (f"the PDF's bytes differ from the issued file (SHA-256 {actual[:16]}..., signed {digest[:16]}...): "
                "its pages, text or attachment were changed after it was issued")
    return None


def check_envelope(envelope: Any, pinned_pem: bytes | None) -> tuple[list[str], list[str]]:
    """(passed, failed) checks of a signed report JSON; each failure names what does not match."""
    if not isinstance(envelope, dict) or not all(k in envelope for k in ("report", "issue", "signature", "log")):
        raise VerificationError("this is not a signed credit report (report, issue, signature, log expected)")
    report, issue, signature, log = (envelope[k] for k in ("report", "issue", "signature", "log"))
    passed, failed = [], []
    if issue.get("format") not in FORMATS or report.get("format") != issue.get("format"):
        failed.append(f"unknown report format {issue.get('format')!r} (this verifier knows {', '.join(FORMATS)})")
    pem = pinned_pem or str(envelope.get("public_key", "")).encode("ascii")
    key = _public_key(pem)
    ok, bad = check_signature(key, signature, MESSAGE_PREFIX + canonical(issue), pinned=bool(pinned_pem),
                              what=f"report {issue.get('number')}",
                              changed="the issue (number, time, purpose, digests) was changed")
    passed += ok
    failed += bad
    digest = _sha256(canonical(report))
    if digest == issue.get("content_sha256"):
        passed.append(f"content digest {digest[:16]}...")
    else:
        parts = issue.get("parts") or {}
        changed = sorted(name for name in set(parts) | set(report)
                         if name not in report or _sha256(canonical(report[name])) != parts.get(name))
        names = ", ".join(f"report.{n}" for n in changed) or "unknown"
        failed.append(f"the content does not match its signed digest; changed: {names}")
    subject, moment = report.get("subject", {}), report.get("moment", {})
    facts = {"entity_key": subject.get("entity_key"), "position": moment.get("position"), "today": moment.get("today"),
             "log": report.get("log")}
    differing = [name for name, value in facts.items() if issue.get(name) != value]
    if differing:
        failed.append(f"the issue and the content disagree on {', '.join(differing)}")
    head, anchor = log.get("head", {}), report.get("log", {})
    if verify_head(pem, head):
        passed.append(f"tree head of {head['tree_size']} entries signed by the same key")
    else:
        failed.append("the tree head's signature does not verify")
    try:
        path = [bytes.fromhex(h) for h in log.get("consistency_path", [])]
        consistent = verify_consistency(anchor["tree_size"], head["tree_size"], bytes.fromhex(anchor["root_hash"]),
                                        bytes.fromhex(head["root_hash"]), path)
    except (KeyError, TypeError, ValueError):
        consistent = False
    if consistent:
        passed.append(f"the log at position {moment.get('position')} ({anchor['tree_size']} entries) is a prefix "
                      "of the signed head")
    else:
        failed.append("the report's log tree (report.log) is not proven to be a prefix of the signed head")
    return passed, failed


def verify_file(data: bytes, pinned_pem: bytes | None) -> tuple[dict[str, Any], list[str], list[str]]:
    """(envelope, passed, failed) for the bytes of a report PDF or JSON."""
    pdf = data.lstrip()[:5] == b"%PDF-"
    raw = attached_report(data) if pdf else data
    try:
        envelope = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise VerificationError(f"the report is not JSON: {error}") from error
    passed, failed = check_envelope(envelope, pinned_pem)
    if pdf:
        problem = check_pdf_seal(data, envelope)
        (failed if problem else passed).append(problem or "the PDF's bytes are the issued file's")
    return envelope, passed, failed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gongshi_verify report",
                                     description="Verify a Gongshi credit report offline (a PDF or its JSON).")
    parser.add_argument("file", help="the report: FILE.pdf or FILE.json")
    parser.add_argument("--public-key", help="the instance's public key PEM (/api/v1/log/key), pinned; without it "
                                             "the key the file carries is used, which proves consistency only")
    args = parser.parse_args(argv)
    try:
        with open(args.file, "rb") as file:
            data = file.read()
        pinned = None
        if args.public_key:
            with open(args.public_key, "rb") as file:
                pinned = file.read()
        envelope, passed, failed = verify_file(data, pinned)
    except (OSError, VerificationError) as error:
        print(f"FAIL: {error}", file=sys.stderr)
        return 2
    for line in passed:
        print(f"ok  {line}")
    for line in failed:
        print(f"FAIL: {line}", file=sys.stderr)
    if failed:
        return 1
    issue, subject = envelope["issue"], envelope["report"]["subject"]
    print(f"verified: report {issue['number']} about {subject.get('name')} ({subject.get('entity_key')}), "
          f"issued {issue['issued_at']}, log position {issue['position']}, rules of {issue['today']}")
    if not pinned:
        print("warning: the key was not pinned (--public-key): this proves the file is consistent, not who signed it")
    return 0
