"""`gongshi deadlines ...`: the decisions deadlines take by themselves (schemas/deadline_rules.json).

    gongshi deadlines run [--today 2025-07-01]    take the decisions due today (once a day; twice is harmless)
    gongshi deadlines rules [--json]              the rules: ids, limits, legal basis, active or not
"""
from __future__ import annotations

import json
import sys

import click
from tqdm import tqdm

from gongshi.cli_supervision import day_option
from gongshi.config import Settings


@click.group()
def deadlines() -> None:
    """Decisions a passing deadline takes by itself: anomaly listings for annual reports not filed, the
    individual businesses' abnormal-state marks, removals after late filing, the serious list after 3 years."""


@deadlines.command("run")
@click.option("--today", help="Decide as on this day (YYYY-MM-DD; default: today, China time). Decisions are "
              "dated this day; nothing is decided on a rest day.")
def deadlines_run(today: str | None) -> None:
    """Take the decisions due today, each once: running it twice, or again after a crash, stores nothing twice.

    Exit status: 0 done (or nothing due), 1 some decisions were refused (printed).
    """
    from gongshi.platform import Platform

    day = day_option(today)
    platform = Platform(Settings.from_env(), today=day)  # the decisions may be dated the day given
    try:
        day = day or platform.clock()
        plan = platform.deadlines.plan(day)
        if not plan.working_day:
            click.echo(f"{day} is not a working day: no decisions are taken")
            return
        with tqdm(total=len(plan.decisions) + len(plan.settlements), desc=f"到期决定 deadlines {day}",
                  unit=" decisions") as bar:
            summary = platform.deadlines.take(plan, bar.update)
        for outcome in summary.rules.values():
            click.echo(outcome.line())
            for error in outcome.errors[:20]:
                click.echo(f"  {error}", err=True)
        click.echo(f"{summary.decided} decisions on {day}; log position {platform.ledger.position()}")
        sys.exit(1 if summary.rejected else 0)
    finally:
        platform.close()


@deadlines.command("rules")
@click.option("--json", "as_json", is_flag=True, help="Print schemas/deadline_rules.json's rules as JSON.")
def deadlines_rules(as_json: bool) -> None:
    """The rules: id, what each decides, its limit in working days, its legal basis, whether it is active."""
    from domain import deadlines as rules

    if as_json:
        click.echo(json.dumps(rules.config()["rules"], ensure_ascii=False, indent=2))
        return
    for rule in rules.rules().values():
        limit = f"{rule.limit_working_days} working days" if rule.limit_working_days else "no limit"
        state = "active" if rule.active else f"INACTIVE: {rule.inactive_note}"
        click.echo(f"{rule.id}  {rule.title}\n  decides {rule.decides} ({rule.cause}); {limit}; {state}\n"
                   f"  {rule.legal_basis}")
