"""`gongshi grades ...` and `gongshi inspections ...`: regrading and inspection draws from the shell.

    gongshi grades recompute [--today 2026-11-25]     one full regrade (for cron or by hand)
    gongshi grades nightly [--at 02:30]               stay running; regrade every day at that time
    gongshi inspections draw [--seed S] [--as-of P]   draw, record and print an inspection list
    gongshi inspections replay DRAW_ID                recompute a recorded draw from its seed
"""
from __future__ import annotations

import csv
import datetime as dt
import getpass
import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any
from uuid import UUID

import click
from tqdm import tqdm

from domain import clock
from gongshi.config import Settings

if TYPE_CHECKING:  # the platform is imported when a command runs, so that --help stays fast
    from gongshi.platform import Platform

DEFAULT_AT_ENV = "GONGSHI_REGRADE_AT"


def _platform() -> Platform:
    from gongshi.platform import Platform

    return Platform(Settings.from_env())


def day_option(value: str | None) -> dt.date | None:
    """A --today option's value as a date (None when not given)."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def regrade(platform: Platform, today: dt.date) -> int:
    """Catch the views up, then regrade every entity for `today`, with a progress bar."""
    platform.runner.catch_up()
    with tqdm(total=platform.grades.entity_count(), desc=f"分类 grading {today}", unit=" entities") as bar:
        return platform.grades.regrade_all(today, progress=bar.update)


@click.group()
def grades() -> None:
    """Credit-risk grades (信用风险分类): recompute them for a new day."""


@grades.command("recompute")
@click.option("--today", help="Grade as of this day (default: today, China time).")
def grades_recompute(today: str | None) -> None:
    """Recompute every entity's grade and warnings now."""
    platform = _platform()
    try:
        day = day_option(today) or platform.clock()
        started = time.perf_counter()
        count = regrade(platform, day)
        click.echo(f"graded {count} entities for {day} in {time.perf_counter() - started:.1f} s")
    finally:
        platform.close()


def next_run(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The next time of day `at` (China time) strictly after `now`."""
    run = now.astimezone(clock.CHINA).replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return run if run > now else run + dt.timedelta(days=1)


@grades.command("nightly")
@click.option("--at", "at", help=f"Time of day, China time (default: ${DEFAULT_AT_ENV}, else schemas/grading.json).")
def grades_nightly(at: str | None) -> None:
    """Keep running and regrade every entity once a day at the configured time."""
    from schemas import supervision as config

    raw = at or os.environ.get(DEFAULT_AT_ENV) or config.grading()["nightly"]["at"]
    try:
        when = dt.time.fromisoformat(raw)
    except ValueError:
        raise click.BadParameter(f"{raw!r} is not a time of day (HH:MM)") from None
    while True:
        due = next_run(clock.now(), when)
        click.echo(f"next regrade at {due.isoformat()}")
        while (wait := (due - clock.now()).total_seconds()) > 0:
            time.sleep(min(wait, 60))
        platform = _platform()
        try:
            count = regrade(platform, platform.clock())
            click.echo(f"{clock.now().isoformat()}: graded {count} entities")
        except Exception as e:  # keep the schedule; the next night tries again
            click.echo(f"regrade failed: {e}", err=True)
        finally:
            platform.close()


@click.group()
def inspections() -> None:
    """Risk-graded random inspection lists (双随机、一公开) with a published seed."""


def _print(drawn: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(drawn, ensure_ascii=False, indent=2))
        return
    click.echo(f"# draw {drawn['draw_id']}  seed {drawn['seed']!r}  as of position {drawn['as_of']['position']}, "
               f"{drawn['as_of']['today']}  population {drawn['population']['digest'][:16]}")
    writer = csv.writer(sys.stdout)
    writer.writerow(["grade", "entity_key", "name", "district", "ticket"])
    for e in drawn["entities"]:
        writer.writerow([e["grade"], e["entity_key"], e["name"], e["district"], e["ticket"]])


@inspections.command("draw")
@click.option("--seed", help="The random seed to publish (default: 64 random bits).")
@click.option("--as-of", "as_of", help="Grade at this log position (default: the latest).")
@click.option("--today", help="Grade as of this day (default: today, China time).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole draw as JSON instead of CSV.")
def inspections_draw(seed: str | None, as_of: str | None, today: str | None, as_json: bool) -> None:
    """Draw an inspection list, record the draw in the log, print it (CSV)."""
    from application.supervision import Caller
    from projections.public import Moment

    platform = _platform()
    try:
        platform.runner.catch_up()
        day = (day_option(today) or platform.clock()).isoformat()
        moment = Moment(int(as_of), day) if as_of else Moment(None, day)
        caller = Caller(f"cli:{getpass.getuser()}", "operator", None)
        _print(platform.supervision.draw(caller, seed, moment), as_json)
    finally:
        platform.close()


@inspections.command("replay")
@click.argument("draw_id")
@click.option("--json", "as_json", is_flag=True, help="Print the whole draw as JSON instead of CSV.")
def inspections_replay(draw_id: str, as_json: bool) -> None:
    """Recompute a recorded draw from its seed and moment; exit 1 if it does not match the record."""
    platform = _platform()
    try:
        platform.runner.catch_up()
        try:
            drawn = platform.supervision.replay_draw(UUID(draw_id))
        except (ValueError, KeyError):
            click.echo(f"error: no draw {draw_id}", err=True)
            sys.exit(2)
        _print(drawn, as_json)
        click.echo("reproduced: the list matches the recorded draw" if drawn["reproduced"]
                   else "MISMATCH: the recomputed list differs from the recorded draw", err=True)
        sys.exit(0 if drawn["reproduced"] else 1)
    finally:
        platform.close()
