"""Traceability codes (追溯码): 10 Crockford Base32 characters and a Luhn mod 32 check character.

The format is data (schemas/trace.json `code`): short enough to type from a label or into an
SMS, printed in groups (XXXX-XXXX-XXX), read case-insensitively with spaces and hyphens
ignored and O read as 0, I and L as 1. The Luhn mod N check character catches every single
mistyped character and every transposition of two adjacent characters but one pair, so a
mistyped code is refused before any lookup; `near_misses` lists the valid codes one typing
error away, for the "did you mean" answer.

Codes are issued from a natural key (the registrant's credit code and its own batch number,
or the parent's code and the sub-batch's place): the same key gives the same code, so
registering a batch twice is recognised; `salt` moves past the rare collision with a code
already issued for another key.
"""
from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

import schemas
from domain.errors import FieldError, ValidationFailed


@cache
def spec() -> dict[str, Any]:
    return schemas.load("trace.json")["code"]


@cache
def _alphabet() -> str:
    return spec()["alphabet"]


_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def check_character(body: str) -> str:
    """The Luhn mod 32 check character of a code body (characters of the alphabet)."""
    alphabet = _alphabet()
    n = len(alphabet)
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * alphabet.index(char)
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return alphabet[(n - total % n) % n]


def issue(key: str, salt: int = 0) -> str:
    """The code issued for a natural key (stable), moved by `salt` past a collision."""
    digest = int.from_bytes(hashlib.sha256(f"{key}#{salt}".encode()).digest()[:8], "big")
    alphabet, size = _alphabet(), spec()["body_length"]
    body = ""
    for _ in range(size):
        digest, index = divmod(digest, len(alphabet))
        body += alphabet[index]
    return body + check_character(body)


def normalise(raw: str) -> str:
    """Upper case, separators dropped, look-alike letters read as digits (no check made)."""
    return "".join(ch for ch in str(raw).upper() if ch not in " -_\u3000—").translate(_ALIASES)


def is_valid(code: str) -> bool:
    alphabet = _alphabet()
    return (len(code) == spec()["body_length"] + 1 and all(ch in alphabet for ch in code)
            and check_character(code[:-1]) == code[-1])


def parse(raw: Any, field: str = "code") -> str:
    """A well-formed code from what was typed, or ValidationFailed naming `field` (before any lookup)."""
    text = normalise(raw) if isinstance(raw, str) else ""
    length = spec()["body_length"] + 1
    if not text:
        raise ValidationFailed([FieldError(field, "required", "请填写追溯码", f"{field}: a traceability code is required")])
    bad = sorted({ch for ch in text if ch not in _alphabet()})
    if bad:
        raise ValidationFailed([FieldError(field, "characters", f"追溯码含有无效字符：{''.join(bad)}（只有数字和字母，不含 U）",
                                           f"{field}: invalid characters {''.join(bad)!r}")])
    if len(text) != length:
        raise ValidationFailed([FieldError(field, "length", f"追溯码应为{length}位（现为{len(text)}位）",
                                           f"{field}: a code has {length} characters, not {len(text)}")])
    if not is_valid(text):
        raise ValidationFailed([FieldError(field, "check_character", "追溯码校验位不符：可能有一位输错或两位颠倒，请核对标签",
                                           f"{field}: the check character does not match; one character is "
                                           "probably mistyped or two are swapped")])
    return text


def near_misses(text: str) -> list[str]:
    """Valid codes one typing error away from `text` (one character changed, two adjacent swapped, one
    missing or one extra), in a stable order: the candidates for "did you mean"."""
    alphabet, length = _alphabet(), spec()["body_length"] + 1
    text = normalise(text)
    found: list[str] = []

    def consider(candidate: str) -> None:
        if candidate != text and is_valid(candidate) and candidate not in found:
            found.append(candidate)

    if len(text) == length:
        for i in range(length):
            for ch in alphabet:
                consider(text[:i] + ch + text[i + 1:])
        for i in range(length - 1):
            consider(text[:i] + text[i + 1] + text[i] + text[i + 2:])
    elif len(text) == length - 1:
        for i in range(length):
            for ch in alphabet:
                consider(text[:i] + ch + text[i:])
    elif len(text) == length + 1:
        for i in range(len(text)):
            consider(text[:i] + text[i + 1:])
    return found


def printed(code: str) -> str:
    """The code as printed on a label: XXXX-XXXX-XXX."""
    out, start = [], 0
    for size in spec()["groups"]:
        out.append(code[start:start + size])
        start += size
    return "-".join(out)
