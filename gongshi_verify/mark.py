"""Offline check of a Gongshi electronic licence mark (亮照): ``python -m gongshi_verify mark FILE.json``.

FILE.json is the mark's JSON twin (``GET /api/v1/marks/{id}``). Self-contained: the standard library and
`cryptography`. The rules of the mark format v1:

- canonical JSON = UTF-8 of ``json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
- ``signature.value`` = base64 Ed25519 over ``b"gongshi-mark-v1\\n"`` + canonical ``mark``, by the key whose raw
  32 bytes hash (SHA-256) to ``signature.key_id``: the instance's log key (/api/v1/log/key)
- ``mark`` names the operator (``credit_code``, ``operator_name``) and the exact shop or site (``presence``:
  platform and shop id, or domain and ICP number), the day and the issuer

The signature proves who the mark was issued to and for which shop; whether it is valid *today* (the operator
not on the serious dishonesty list, its registration active) is the ``status`` the platform answers now, which
no file can prove offline: this tool reports it as the file's claim.

Exit status 0 when every check passed, 1 when one failed, 2 when the file is unreadable.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from gongshi_verify.report import canonical, check_signature
from gongshi_verify.verifier import VerificationError, _public_key

MESSAGE_PREFIX = b"gongshi-mark-v1\n"


def check_mark(answer: Any, pinned_pem: bytes | None) -> tuple[list[str], list[str]]:
    """(passed, failed) checks of a mark's JSON twin."""
    if not isinstance(answer, dict) or not isinstance(answer.get("mark"), dict) or "signature" not in answer:
        raise VerificationError("this is not a Gongshi mark (mark and signature expected)")
    mark, signature = answer["mark"], answer["signature"]
    pem = pinned_pem or str(answer.get("public_key") or "").encode("ascii")
    key = _public_key(pem)
    return check_signature(key, signature, MESSAGE_PREFIX + canonical(mark), pinned=bool(pinned_pem),
                           what=f"mark {mark.get('mark_id')}", changed="the operator, the shop or the day was changed,")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gongshi_verify mark",
                                     description="Verify a Gongshi electronic licence mark offline (its JSON).")
    parser.add_argument("file", help="the mark's JSON (GET /api/v1/marks/{id})")
    parser.add_argument("--public-key", help="the instance's public key PEM (/api/v1/log/key), pinned")
    args = parser.parse_args(argv)
    try:
        with open(args.file, "rb") as file:
            answer = json.loads(file.read())
        pinned = None
        if args.public_key:
            with open(args.public_key, "rb") as file:
                pinned = file.read()
        passed, failed = check_mark(answer, pinned)
    except (OSError, ValueError, VerificationError) as error:
        print(f"FAIL: {error}", file=sys.stderr)
        return 2
    for line in passed:
        print(f"ok  {line}")
    for line in failed:
        print(f"FAIL: {line}", file=sys.stderr)
    if failed:
        return 1
    mark, presence = answer["mark"], answer["mark"]["presence"]
    where = presence.get("url") or presence.get("domain")
    print(f"verified: mark {mark['mark_id']} issued {mark['issued_on']} by {mark['issuer']} to "
          f"{mark['operator_name']} ({mark['credit_code']}) for {presence.get('name')} at {where}")
    if "status" in answer:
        print(f"the file says the mark was {answer['status']} when it was fetched; ask /marks/{mark['mark_id']} "
              "for today")
    if not pinned:
        print("warning: the key was not pinned (--public-key): this proves the file is consistent, not who signed it")
    return 0
