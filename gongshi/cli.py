"""The `gongshi` command: the platform's front door. Thin: parse, call, print."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from tqdm import tqdm

from gongshi.config import Settings


def _platform():
    from gongshi.platform import Platform

    return Platform(Settings.from_env())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Gongshi (公示): Benxi's public credit-disclosure and open-data platform.

    Data lives under GONGSHI_HOME (default ./var) in SQLite, or in PostgreSQL when
    GONGSHI_DATABASE_URL=postgresql://... is set.
    """


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the portal and the APIs with uvicorn."""
    import uvicorn

    from web.app import create_app

    uvicorn.run(create_app(_platform()), host=host, port=port, log_level="info")


@main.command()
@click.option("--entities", default=2000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="How many market entities to generate (records scale with it, ~10 each).")
@click.option("--seed", default=20261125, show_default=True, type=int, help="Same seed, same data, on any machine.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the items as JSON Lines to this file instead of loading them.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the store already holds events.")
def demo(entities: int, seed: int, out: Path | None, if_empty: bool) -> None:
    """Generate realistic synthetic Benxi data and load it (or write it with --out)."""
    from gongshi.demo import generate

    if out is not None:
        with out.open("w", encoding="utf-8") as f:
            for item in tqdm(generate(entities=entities, seed=seed), desc="生成 generating", unit=" items"):
                f.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
        click.echo(f"wrote {out}")
        return
    platform = _platform()
    try:
        if if_empty and platform.ledger.position() > 0:
            click.echo(f"store already holds {platform.ledger.position()} events; demo data not loaded")
            return
        from gongshi.loading import load_items

        summary = load_items(platform, generate(entities=entities, seed=seed), desc="载入 loading demo")
        click.echo(f"loaded {summary.accepted} items ({summary.duplicates} already present, "
                   f"{summary.rejected} rejected); log position {platform.ledger.position()}")
        _catch_up(platform)
    finally:
        platform.close()


def _catch_up(platform) -> None:
    end = platform.ledger.position()
    start = platform.runner.position()
    with tqdm(total=end - start, desc="投影 projecting", unit=" events", disable=end == start) as bar:
        platform.runner.catch_up(progress=bar.update)


@main.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", help="Record kind of a CSV file (required for CSV): license, penalty, commitment, "
              "anomaly_listing, anomaly_removal, dishonesty_listing, dishonesty_removal, red_list, entity.")
@click.option("--department", help="Credit code of the submitting department (default: each record's source unit).")
def import_(file: Path, kind: str | None, department: str | None) -> None:
    """Import records from a JSON Lines or CSV file (UTF-8, with or without BOM).

    Exit status: 0 all accepted (or already present), 1 some rejected (see FILE.rejects.jsonl;
    the valid ones are stored), 2 fatal error (nothing stored).
    """
    from gongshi.importer import FatalImportError, import_file

    platform = _platform()
    try:
        try:
            from gongshi.importer import scan

            _, lines = scan(file)
            with tqdm(total=lines, desc="导入 importing", unit=" lines") as bar:
                summary = import_file(platform, file, kind=kind, department=department,
                                      progress=lambda line: bar.update(line - bar.n))
        except FatalImportError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(2)
        _catch_up(platform)
        click.echo(f"{summary.total} records: {summary.accepted} accepted, {summary.duplicates} already present, "
                   f"{summary.rejected} rejected; log position {platform.ledger.position()}")
        if summary.rejected:
            click.echo(f"rejected records and their reasons: {summary.rejects_path}", err=True)
        sys.exit(summary.exit_code)
    finally:
        platform.close()


@main.group()
def token() -> None:
    """Department API tokens (printed once; only their hash is stored)."""


@token.command("create")
@click.option("--department", required=True, help="Credit code of the department (see `gongshi catalog`).")
@click.option("--role", type=click.Choice(["submitter", "reviewer", "auditor", "publisher"]), default="submitter",
              show_default=True)
@click.option("--label", default="", help="A note on who holds it.")
@click.option("--days", default=365, show_default=True, type=int, help="Days until it expires (0: never).")
def token_create(department: str, role: str, label: str, days: int) -> None:
    """Create a token and print it once."""
    platform = _platform()
    try:
        code = department.strip().upper()
        if platform.ledger.catalog.department(code) is None:
            click.echo(f"error: department {department} is not in the catalog; run `gongshi catalog` to list them", err=True)
            sys.exit(2)
        click.echo(platform.tokens.create(department=code, role=role, label=label, days=days or None))
    finally:
        platform.close()


@token.command("list")
def token_list() -> None:
    """List tokens (ids, departments, roles; never the secrets)."""
    platform = _platform()
    try:
        for row in platform.tokens.list():
            click.echo("\t".join(str(row[k] or "") for k in ("id", "department", "role", "label", "expires_at", "revoked_at")))
    finally:
        platform.close()


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """Revoke a token by its id (the part after gs_)."""
    platform = _platform()
    try:
        if not platform.tokens.revoke(token_id):
            click.echo(f"error: no active token {token_id}", err=True)
            sys.exit(1)
        click.echo(f"revoked {token_id}")
    finally:
        platform.close()


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the catalog as JSON.")
def catalog(as_json: bool) -> None:
    """The data collection catalog: departments and the one source of each record kind."""
    import schemas
    from domain.catalog import Catalog

    view = Catalog(schemas.catalog()).public_view()
    if as_json:
        click.echo(json.dumps(view, ensure_ascii=False, indent=2))
        return
    for dept in view["departments"]:
        click.echo(f"{dept['code']}  {dept['name']}")
    click.echo("")
    for kind, entry in view["kinds"].items():
        if "department" in entry:
            click.echo(f"{kind}: {entry['department']['name']}")
        elif "by_list_type" in entry:
            for list_type, dept in entry["by_list_type"].items():
                click.echo(f"{kind} / {list_type}: {dept['name']}")
        elif "by_category" in entry:
            click.echo(f"{kind}: {entry['default']['name']} (社会组织: 民政局)")
        else:
            click.echo(f"{kind}: 作出决定的机关 (the deciding authority)")


@main.command()
@click.option("--verify", is_flag=True, help="Rebuild into a scratch database and report any difference from the live read models.")
def replay(verify: bool) -> None:
    """Drop every read model and rebuild it from the event log."""
    from gongshi import replay as replaying

    platform = _platform()
    try:
        end = platform.ledger.position()
        with tqdm(total=end, desc="重放 replaying", unit=" events") as bar:
            if not verify:
                position = replaying.replay(platform, progress=bar.update)
                bar.close()
                click.echo(f"rebuilt every read model up to log position {position}")
                return
            position, diffs = replaying.verify(platform, progress=bar.update)
        bad = [d for d in diffs if not d.equal]
        for d in diffs:
            click.echo(f"{d.table}: {d.rows_a} live rows, {d.rows_b} rebuilt rows, "
                       f"{'identical' if d.equal else 'DIFFERENT'} (sha256 {d.digest_a[:16]})")
            for example in d.examples:
                click.echo(f"  {example}")
        if bad:
            click.echo(f"read models differ from a rebuild at position {position}; run `gongshi replay` to rebuild them",
                       err=True)
            sys.exit(1)
        click.echo(f"verified: the live read models equal a rebuild from the log at position {position}")
    finally:
        platform.close()


if __name__ == "__main__":
    main()
