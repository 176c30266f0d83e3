"""`gongshi contributor ...`: the credit office's register of contributors of credit information from society.

    gongshi contributor register --credit-code CODE --name NAME --type association   registers and prints the
                                 one-time activation link of its account (the same accounts as firms')
    gongshi contributor suspend CODE --reason ...  /  reinstate CODE --reason ...
    gongshi contributor token CODE                  an API token for POST /api/v1/contributions (printed once)
    gongshi contributor list                        the register with the track records
"""
from __future__ import annotations

import sys

import click

from domain.contributors import rules
from domain.errors import ValidationFailed
from gongshi.config import Settings

CLI = "cli:credit-office"


def _platform():
    from gongshi.platform import Platform

    return Platform(Settings.from_env())


def _refused(e: ValidationFailed) -> None:
    for err in e.errors:
        click.echo(f"error: {err.field}: {err.en} ({err.zh})", err=True)
    sys.exit(2)


@click.group()
def contributor() -> None:
    """Contributors of credit information from society (信息报送方), approved by the credit office."""


@contributor.command("register")
@click.option("--credit-code", required=True, help="The contributor's own unified social credit code.")
@click.option("--name", required=True, help="Its name, as published on /contributors.")
@click.option("--type", "kind", required=True, type=click.Choice(list(rules()["contributor_types"])))
@click.option("--base-url", envvar="GONGSHI_BASE_URL", default="http://127.0.0.1:8000", show_default=True,
              help="The portal's public address, for the activation link (env GONGSHI_BASE_URL).")
def register(credit_code: str, name: str, kind: str, base_url: str) -> None:
    """Register a contributor (the credit office's approval, in the log) and create its account if it has none."""
    from stores.accounts import AccountError

    platform = _platform()
    try:
        try:
            position = platform.contributions.register(credit_code, name, kind, platform.clock(), CLI)
        except ValidationFailed as e:
            _refused(e)
        code = platform.contributions.contributor(credit_code.strip().upper()).credit_code
        click.echo(f"registered {code} as a contributor; log position {position}", err=True)
        try:
            token = platform.accounts.create(code)
        except AccountError:
            click.echo("it already has an account: it logs in at /contributor/login with its password", err=True)
            return
        click.echo(f"{base_url.rstrip('/')}/firm/activate/{token}")
        click.echo("one-time link: after choosing a password, log in at /contributor/login", err=True)
    finally:
        platform.close()


def _status_command(name: str, action: str):
    @contributor.command(name)
    @click.argument("credit_code")
    @click.option("--reason", required=True, help="Why (kept in the log and shown on /contributors).")
    def command(credit_code: str, reason: str) -> None:
        platform = _platform()
        try:
            try:
                position = getattr(platform.contributions, action)(credit_code.strip().upper(), reason,
                                                                    platform.clock(), CLI)
            except ValidationFailed as e:
                _refused(e)
            click.echo(f"{name}: {credit_code}; log position {position}")
        finally:
            platform.close()

    command.__doc__ = f"{name.capitalize()} a contributor's reporting, with a reason."
    return command


suspend = _status_command("suspend", "suspend")
reinstate = _status_command("reinstate", "reinstate")


@contributor.command("token")
@click.argument("credit_code")
@click.option("--days", default=365, show_default=True, type=int, help="Days until it expires (0: never).")
def token(credit_code: str, days: int) -> None:
    """An API token for the contributor's systems (POST /api/v1/contributions); printed once."""
    platform = _platform()
    try:
        try:
            code = platform.contributions.contributor(credit_code.strip().upper()).credit_code
        except ValidationFailed as e:
            _refused(e)
        click.echo(platform.tokens.create(department=code, role="contributor", label="contributor",
                                          days=days or None))
    finally:
        platform.close()


@contributor.command("list")
def list_() -> None:
    """The register with each contributor's track record."""
    platform = _platform()
    try:
        platform.runner.catch_up()
        for row in platform.contribution_views.track_records():
            click.echo(f"{row['credit_code']}  {row['name']}  {row['type_label']}  {row['status']}  "
                       f"submitted {row['submitted']}, confirmed {row['confirmed']}, refused {row['refused']}")
    finally:
        platform.close()
