"""`gongshi quality check [--today DATE]`: run the platform's data-quality checks now (gongshi serve runs them
every night); each finding is flagged to the record's source department once while its flag is open."""
from __future__ import annotations

import datetime as dt

import click

from gongshi.config import Settings


@click.group()
def quality() -> None:
    """Data-quality feedback (数据质量反馈): the platform's own checks."""


@quality.command("check")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day to check as (default: today, China).")
def check(today: dt.datetime | None) -> None:
    """Run the checks (late publications, expired licences marked valid, name mismatches) and flag the findings."""
    from gongshi.platform import Platform

    platform = Platform(Settings.from_env())
    try:
        platform.runner.catch_up()
        counts = platform.quality_checks.run(today.date() if today else platform.clock())
        for name, n in sorted(counts.items()):
            click.echo(f"{name}: {n}")
        if not counts:
            click.echo("no findings")
    finally:
        platform.close()
