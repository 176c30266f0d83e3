"""Identifiers: unified social credit codes (GB 32100-2015) and resident ID numbers (GB 11643).

Input is normalised (trimmed, full-width to half-width, upper case) and then checked.
Nothing is ever "fixed": an O typed for a 0 is reported, not guessed.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from functools import lru_cache

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CODE_ALPHABET)}
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

#: Individual businesses without a code are submitted with this placeholder (GB 32100 practice).
INDIVIDUAL_PLACEHOLDER = "00000000000000000X"

#: Position 1-2 of a credit code -> entity category (机构类别).
ENTITY_CATEGORIES = {
    "11": "机关",
    "12": "事业单位",
    "13": "中央编办直接管理机构编制的群众团体",
    "19": "其他机构编制",
    "51": "社会团体",
    "52": "民办非企业单位",
    "53": "基金会",
    "59": "其他民政登记",
    "91": "企业",
    "92": "个体工商户",
    "93": "农民专业合作社",
}


class CodeError(ValueError):
    """An identifier failed validation; `zh` and `en` say why, in both languages."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh = zh
        self.en = en


def normalise(value: str) -> str:
    """Trim, fold full-width characters to half-width (NFKC) and upper-case."""
    return unicodedata.normalize("NFKC", value).strip().upper()


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a credit code whose first 17 characters are given."""
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The GB 11714 check character for an 8-character organisation code body."""
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


@lru_cache(maxsize=1 << 16)  # the same authorities and parties recur across a department's file
def validate_credit_code(raw: str) -> tuple[str, tuple[str, ...]]:
    """Return the normalised code and a list of warnings; raise CodeError if invalid.

    A failed inner GB 11714 organisation-code check (positions 9-17) is only a warning:
    legacy codes fail it and are still legal identifiers.
    """
    code = normalise(raw)
    if len(code) != 18:
        raise CodeError(
            f"统一社会信用代码应为18位，实际为{len(code)}位",
            f"a unified social credit code has 18 characters, got {len(code)}",
        )
    bad = sorted({c for c in code if c not in _CREDIT_VALUE})
    if bad:
        raise CodeError(
            f"统一社会信用代码含有不允许的字符：{''.join(bad)}（不使用I、O、S、V、Z）",
            f"character(s) {''.join(bad)!r} are not allowed in a credit code (no I, O, S, V, Z)",
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise CodeError(
            "统一社会信用代码校验位错误，请核对代码",
            "the credit code's check character is wrong; please check the code",
        )
    body = code[8:16]
    if all(c in _ORG_ALPHABET for c in body) and org_code_check_char(body) != code[16]:
        return code, ("organisation code (positions 9-17) fails its GB 11714 check",)
    return code, ()


def is_valid_credit_code(raw: str) -> bool:
    try:
        validate_credit_code(raw)
    except CodeError:
        return False
    return True


def make_credit_code(prefix2: str, division: str, org_body8: str) -> str:
    """Compose a valid credit code from its parts (used for synthetic data and tests)."""
    first17 = prefix2 + division + org_body8 + org_code_check_char(org_body8)
    return first17 + credit_code_check_char(first17)


def entity_category(code: str | None, party_type: str | None = None) -> str | None:
    """主体类别: the category (机构类别) a credit code's first two characters name, else the party type.

    One answer for the search facet and the profile's 主体类别, so that a facet value leads to
    profiles that say the same: a party whose code names no category (no code, the placeholder,
    an unknown prefix) is what its department submitted it as (自然人, 个体工商户, 法人及非法人组织).
    """
    return ENTITY_CATEGORIES.get(code[:2] if code else "") or party_type or None


def validate_id_number(raw: str) -> str:
    """Return the normalised 18-digit resident ID number; raise CodeError if invalid."""
    number = normalise(raw)
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        raise CodeError(
            "身份证号码应为18位（前17位为数字，末位为数字或X）",
            "a resident ID number has 17 digits followed by a digit or X",
        )
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise CodeError(
            "身份证号码中的出生日期不是真实日期", "the birth date inside the ID number is not a real date"
        ) from None
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != number[17]:
        raise CodeError("身份证号码校验位错误", "the ID number's check character is wrong")
    return number


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]


def mask_id_number(number: str) -> str:
    """Mask for authorised display: 110105********002X."""
    return number[:6] + "*" * 8 + number[14:] if len(number) == 18 else "*" * len(number)


def mask_phone(phone: str) -> str:
    """Mask for authorised display: 138****5678."""
    return phone[:3] + "****" + phone[7:] if len(phone) == 11 else "*" * len(phone)
