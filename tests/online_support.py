"""Online presences for tests: the catalog's first platform, its operator's token, a shop and a website."""
from __future__ import annotations

from typing import Any

from domain import online

PLATFORM = online.rules()["platforms"][0]  # 本溪优品商城
OTHER_PLATFORM = online.rules()["platforms"][1]
SHOP = {"type": "platform_shop", "platform": PLATFORM["key"], "shop_id": "hd-001", "name": "恒达建材旗舰店",
        "category": "general"}
SITE = {"type": "website", "domain": "恒达建材.中国", "icp_number": "辽ICP备12345678号-1", "name": "恒达建材官网"}


def platform_headers(platform: Any, operator: str = PLATFORM["operator_code"]) -> dict[str, str]:
    return {"Authorization": f"Bearer {platform.tokens.create(department=operator, role='platform')}"}
