"""`gongshi platform ...`: the online trading platforms of the catalog (schemas/online.json) and their tokens.

    gongshi platform list           the platforms, with how many shops each listed and how many carry a mark
    gongshi platform token KEY      an API token of role `platform`, bound to the platform operator's credit code,
                                    for POST /api/v1/online-presences {"rows": [...]} (printed once)
"""
from __future__ import annotations

import click

from domain import online
from gongshi.config import Settings


def _platform():
    from gongshi.platform import Platform
    return Platform(Settings.from_env())


@click.group("platform")
def platform_group() -> None:
    """Online trading platforms (网络交易平台) that list their merchants (schemas/online.json)."""


@platform_group.command("list")
def list_() -> None:
    """Each platform: key, operator, the shops it listed and those confirmed with a mark."""
    platform = _platform()
    try:
        platform.runner.catch_up()
        for entry in online.rules()["platforms"]:
            [(listed, marked)] = platform.views_db.execute(
                "SELECT COUNT(*), COUNT(mark_id) FROM v_online_presences WHERE platform = ? AND valid_to IS NULL",
                (entry["key"],))
            click.echo(f"{entry['key']:<18} {entry['name']}  operator {entry['operator_code']} "
                       f"({entry['operator_name']}): {listed} shops, {marked} with a mark")
    finally:
        platform.close()


@platform_group.command("token")
@click.argument("key", type=click.Choice([p["key"] for p in online.rules()["platforms"]]))
@click.option("--days", default=365, show_default=True, type=int, help="Days until it expires (0: never).")
def token(key: str, days: int) -> None:
    """An API token for the platform's systems, bound to its operator's credit code; printed once."""
    operator = online.platforms()[key]["operator_code"]
    platform = _platform()
    try:
        click.echo(platform.tokens.create(department=operator, role="platform", label=f"platform:{key}",
                                          days=days or None))
    finally:
        platform.close()
