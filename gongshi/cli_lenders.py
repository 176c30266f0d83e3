"""`gongshi lender ...`: the credit office's register of lenders (信易贷 financial institutions).

    gongshi lender register --credit-code CODE --name NAME --type bank   registers and prints the one-time
                            activation link of its account (the same accounts as firms'; it logs in at /lender/login)
    gongshi lender token CODE     an API token of role `lender`, bound to the institution's credit code (printed once)
    gongshi lender list           the register, with each lender's products, consents held and reads
"""
from __future__ import annotations

import sys

import click

from domain.errors import ValidationFailed
from domain.lenders import rules
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
def lender() -> None:
    """Financial institutions of 信易贷 (放款机构), registered by the credit office."""


@lender.command("register")
@click.option("--credit-code", required=True, help="The institution's own unified social credit code.")
@click.option("--name", required=True, help="Its name, as firms see it when they grant consent.")
@click.option("--type", "kind", required=True, type=click.Choice(list(rules()["institution_types"])))
@click.option("--base-url", envvar="GONGSHI_BASE_URL", default="http://127.0.0.1:8000", show_default=True,
              help="The portal's public address, for the activation link (env GONGSHI_BASE_URL).")
def register(credit_code: str, name: str, kind: str, base_url: str) -> None:
    """Register a lender (the credit office's approval, in the log) and create its account if it has none."""
    from stores.accounts import AccountError

    platform = _platform()
    try:
        try:
            position = platform.lending.register(credit_code, name, kind, platform.clock(), CLI)
        except ValidationFailed as e:
            _refused(e)
        code = platform.lending.lender(credit_code.strip().upper()).credit_code
        click.echo(f"registered {code} as a lender; log position {position}", err=True)
        try:
            token = platform.accounts.create(code)
        except AccountError:
            click.echo("it already has an account: it logs in at /lender/login with its password", err=True)
            return
        click.echo(f"{base_url.rstrip('/')}/firm/activate/{token}")
        click.echo("one-time link: after choosing a password, log in at /lender/login", err=True)
    finally:
        platform.close()


@lender.command("token")
@click.argument("credit_code")
@click.option("--days", default=365, show_default=True, type=int, help="Days until it expires (0: never).")
def token(credit_code: str, days: int) -> None:
    """An API token for the lender's systems (GET /api/v1/lender/reports/{code}, products); printed once."""
    platform = _platform()
    try:
        try:
            code = platform.lending.lender(credit_code.strip().upper()).credit_code
        except ValidationFailed as e:
            _refused(e)
        click.echo(platform.tokens.create(department=code, role="lender", label="lender", days=days or None))
    finally:
        platform.close()


@lender.command("list")
def list_() -> None:
    """The register: each lender with its products on offer, the consents it holds and its reads."""
    from projections import lending_queries as queries

    platform = _platform()
    try:
        platform.runner.catch_up()
        db, today = platform.views_db, platform.clock()
        for row in queries.lenders(db):
            code = row["credit_code"]
            held = [c for c in queries.consents_of_lender(db, code, today) if c["status"] == "granted"]
            reads = queries.reads_of_lender(db, code)
            refused = sum(1 for r in reads if r["outcome"] == "refused")
            click.echo(f"{code}  {row['name']}  {row['type_label']}  products {len(queries.products(db, code))}, "
                       f"consents in force {len(held)}, reads {len(reads) - refused}, refused {refused}")
    finally:
        platform.close()
