"""Online presences for the demo: shops on the catalog's platforms and firms' own websites, declared from the firms'
accounts and listed by the platforms, with the exempt individuals a platform lists, one shop claimed by two firms
(contested) and one operator on the serious dishonesty list (its mark suspended).

Deterministic from the seed: the companies are chosen by a hash of the seed and their code.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain import online

SHARE = 1 / 8
SUFFIXES = ("旗舰店", "专营店", "官方店", "直营店")
EXEMPT_SHOPS = (("山里红手工坊", "own_produce"), ("桓仁冰酒小铺", "own_produce"), ("老宋家闲置好物", "occasional"),
                ("溪畔手作", "own_produce"), ("二手书摊", "occasional"))


@dataclass
class DemoShop:
    """One company's shop (and perhaps website): who declares it, whether the platform lists it."""

    credit_code: str
    name: str
    platform: str
    shop_id: str
    declared: bool
    listed: bool
    website: str | None  # its own domain (punycode is the platform's business; these are ASCII)


def choose_shops(entities: Iterable[dict[str, Any]], seed: int) -> list[DemoShop]:
    """About 1 in 8 companies: a shop on one platform, most declared and listed, a third with a website too."""
    keys = [p["key"] for p in online.rules()["platforms"]]
    out = []
    for ent in entities:
        code = ent.get("credit_code") or ""
        if not code.startswith("91") or not ent.get("name"):
            continue
        digest = hashlib.sha256(f"online/{seed}/{code}".encode()).digest()
        if digest[0] / 256 >= SHARE:
            continue
        short = ent["name"].removeprefix("本溪市").split("有限")[0][:10]
        side = digest[2] % 10  # 0: declared only, 1: listed only, else both
        out.append(DemoShop(code, short + SUFFIXES[digest[3] % len(SUFFIXES)], keys[digest[1] % len(keys)],
                            f"bx{digest[4]:02x}{digest[5]:02x}{digest[6]:02x}", side != 1, side != 0,
                            f"bx{code[-8:-1].lower()}.example.cn" if digest[7] % 3 == 0 else None))
    return out


def exempt_rows(platform_key: str) -> list[dict[str, Any]]:
    """The individuals a platform lists as exempt from registration: the shop and the basis, nothing personal."""
    return [{"type": "platform_shop", "platform": platform_key, "shop_id": f"gr{i:03d}", "name": name,
             "exempt": basis} for i, (name, basis) in enumerate(EXEMPT_SHOPS)]
