"""What a public view may show of a record: no ID numbers, no phone numbers, anywhere.

Private fields are named in the schemas (`"x-public": false`). Free text is scrubbed too,
because departments do type a phone number into the facts of a case now and then.
"""
from __future__ import annotations

import re
from typing import Any

from domain.codes import id_check_char

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[ -](\d{7,8})(?!\d)")


def _mask_id(m: re.Match[str]) -> str:
    number = m.group(1).upper()
    return "[身份证号已隐藏]" if id_check_char(number[:17]) == number[17] else number


_LONG_DIGITS = re.compile(r"\d(?:[ -]?\d){6}")


def scrub_text(text: str) -> str:
    """Replace ID numbers and phone numbers inside free text."""
    if not _LONG_DIGITS.search(text):  # every pattern below has seven digits, perhaps spaced
        return text
    text = _ID_NUMBER.sub(_mask_id, text)
    text = _MOBILE.sub("[电话已隐藏]", text)
    return _LANDLINE.sub("[电话已隐藏]", text)


def public_fields(fields: dict[str, Any], private: frozenset[str], free_text: frozenset[str]) -> dict[str, Any]:
    """The fields of a record that may be shown to the public (identifiers are left intact)."""
    out = {name: value for name, value in fields.items() if name not in private}
    # One look at all the free text first (a newline never joins two runs of digits): most have none.
    texts = [value for value in map(out.get, free_text) if isinstance(value, str)]
    if texts and _LONG_DIGITS.search("\n".join(texts)):
        for name in free_text:
            value = out.get(name)
            if isinstance(value, str):
                out[name] = scrub_text(value)
    return out
