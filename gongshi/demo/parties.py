"""Parties of the demo records and the identities that name them.

`Party` is what a record says about its party; `Identities` (a mixin of the generator)
makes people with valid resident ID numbers, unique names, Benxi addresses and credit
codes that are valid and unique by construction.
"""
from __future__ import annotations

import datetime as dt
import zlib

from domain.codes import CREDIT_CODE_ALPHABET, id_check_char, make_credit_code

from . import vocab as V
from .common import START

_Y1950 = dt.date(1950, 1, 1).toordinal()


class Party:
    """A party of records: a registered entity, an unregistered one or a natural person."""

    __slots__ = ("name", "ptype", "code", "regno", "pid", "reps", "div", "address", "est", "lo", "certs")

    def __init__(self, name, ptype, code=None, regno=None, pid=None, reps=(), div="210502",
                 address="", est=START, lo=START):
        self.name, self.ptype, self.code, self.regno, self.pid = name, ptype, code, regno, pid
        self.reps = list(reps)  # [(from ordinal, name, ID number)], oldest first
        self.div, self.address, self.est, self.lo = div, address, est, lo
        self.certs: dict[str, str] = {}

    def rep_at(self, o: int) -> tuple[int, str, str]:
        rep = self.reps[0]
        for r in self.reps[1:]:
            if r[0] <= o:
                rep = r
        return rep


def _regno_check(first14: str) -> str:
    """ISO 7064 MOD 11,10 check digit of a 15-digit registration number (工商注册号)."""
    p = 10
    for c in first14:
        s = (p + int(c)) % 10 or 10
        p = s * 2 % 11
    return str((11 - p) % 10)


class Identities:
    """Mixin: needs the seeded r, ri, ch, rr, iso and the counters set up by the generator."""

    def person(self, lo: int, hi: int, area: str | None = None) -> tuple[str, str]:
        g = V.GIVEN_CHARS
        name = self.ch(V.SURNAMES) + (self.ch(g) if self.r() < 0.3 else self.ch(g) + self.ch(g))
        first17 = (area or self.ch(V.ID_AREAS)) + self.iso(self.ri(lo, hi)).replace("-", "") + f"{self.ri(1, 999):03d}"
        return name, first17 + id_check_char(first17)

    def rep_for(self, o: int) -> tuple[str, str]:
        return self.person(max(_Y1950, o - 65 * 365), o - 23 * 365)

    def phone(self) -> str:
        return self.ch(V.PHONE_PREFIXES) + f"{self.rr(10 ** 8):08d}"

    def address(self, div: str, village: bool = False) -> str:
        name, _, _, town, roads = V.DISTRICTS[div]
        if village and div in V.TOWNS:
            return f"辽宁省本溪市{name}{self.ch(V.TOWNS[div])}{self.ch(V.VILLAGES)}村{self.ri(1, 12)}组"
        return f"辽宁省本溪市{name}{town}{self.ch(roads)}{self.ri(1, 399)}号{self.ch(V.BUILDING_SUFFIXES)}"

    def credit_code(self, prefix: str, div: str, style: str) -> str:
        """A valid code whose organisation-code body is a bijection of a counter: unique by construction."""
        n = self.code_n
        self.code_n += 1
        if style == "D":  # legacy 8-digit organisation code
            return make_credit_code(prefix, div, f"{(n * 61_803_399 + self.off[0]) % 10 ** 8:08d}")
        v = (n * 387_420_489 + self.off[1 if style == "MA" else 2]) % 31 ** 6
        chars = []
        for _ in range(6):
            v, d = divmod(v, 31)
            chars.append(CREDIT_CODE_ALPHABET[d])
        return make_credit_code(prefix, div, style + "".join(chars))

    def regno(self, div: str, individual: bool) -> str:
        n = self.regno_n.get(div, 0) + self.ri(1, 40)
        self.regno_n[div] = n
        first14 = div + ("6" if individual else "0") + f"{n:07d}"
        return first14 + _regno_check(first14)

    def unique(self, make) -> str:
        for attempt in range(200):
            name = make(attempt)
            h = zlib.crc32(name.encode("utf-8"))
            if h not in self.names:
                self.names.add(h)
                return name
        raise RuntimeError("could not find an unused name")

    def brand(self, attempt: int = 0) -> str:
        if attempt >= 8:
            return self.ch(V.BRAND_FIRST) + self.ch(V.BRAND_SECOND) + self.ch(V.BRAND_SECOND)
        if self.r() < 0.3:
            return self.ch(V.BRANDS)
        return self.ch(V.BRAND_FIRST) + self.ch(V.BRAND_SECOND)

    def individual_name(self, div: str, surname: str, words: tuple, attempt: int) -> str:
        short, w, u = V.DISTRICTS[div][1], self.ch(words), self.r()
        if attempt < 3 and u < 0.7:
            return f"{short}{surname}记{w}" if u < 0.4 else f"{short}老{surname}{w}" if u < 0.6 else f"{short}{surname}氏{w}"
        return f"{short}{self.brand(attempt)}{w}"
