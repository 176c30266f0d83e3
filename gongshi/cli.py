"""The `gongshi` command: the platform's front door. Thin: parse, call, print."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from tqdm import tqdm

from domain.moments import MomentError
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
@click.option("--daily/--no-daily", default=True, show_default=True,
              help="Run the deadline job (`gongshi deadlines run`) once per day, China time, while serving.")
def serve(host: str, port: int, daily: bool) -> None:
    """Serve the portal and the APIs with uvicorn."""
    import uvicorn

    from web.app import create_app

    uvicorn.run(create_app(_platform(), daily=daily), host=host, port=port, log_level="info")


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
        from gongshi.loading import load_demo

        loaded = load_demo(platform, entities, seed)
        summary, reports, checks, runs = loaded.records, loaded.reports, loaded.checks, loaded.runs
        click.echo(f"loaded {summary.accepted} items ({summary.duplicates} already present, "
                   f"{summary.rejected} rejected); log position {platform.ledger.position()}")
        click.echo(f"filed {reports.accepted} annual reports ({reports.duplicates} already present, "
                   f"{reports.rejected} rejected); log position {platform.ledger.position()}")
        click.echo(f"recorded {checks.accepted} spot-check results of 2 inspection draws; "
                   f"log position {platform.ledger.position()}")
        for run in runs:
            click.echo(f"deadline job {run.line()}")
        if loaded.labels:
            click.echo(f"registered {len(loaded.labels)} traceable batches; try these labels at /trace:")
            shown = loaded.labels[:3] + [lbl for lbl in loaded.labels[3:] if lbl[2]][:1]
            for printed, product, recalled in shown:
                click.echo(f"  {printed}  {product}{'  (recalled)' if recalled else ''}")
        for row in platform.views_db.query("SELECT number, name, document FROM v_reports ORDER BY log_position"):
            saved = platform.settings.home / "reports" / f"{row['number']}.pdf"
            where = f", saved as {saved}" if row["document"] == "pdf" else ""
            click.echo(f"credit report {row['number']} ({row['name']}){where}; verify at /reports/{row['number']}")
        _catch_up(platform)
    finally:
        platform.close()


def _catch_up(platform) -> None:
    from gongshi.loading import catch_up

    catch_up(platform)


@main.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", help="Record kind of a CSV file (required for CSV): license, penalty, commitment, "
              "anomaly_listing, anomaly_removal, dishonesty_listing, dishonesty_removal, red_list, entity; or "
              "annual_report for paper annual reports (JSON Lines or CSV with the form's flat column names); trace "
              "for traceability batches and steps (JSON Lines), trace_batch or trace_event for a CSV of either.")
@click.option("--department", help="Credit code of the submitting department (default: each record's source unit; "
              "required for annual_report: the registration department entering paper reports; and for trace: the "
              "regulating or testing department).")
def import_(file: Path, kind: str | None, department: str | None) -> None:
    """Import records (paper annual reports, traceability facts) from a JSON Lines or CSV file (UTF-8, BOM or not).

    Exit status: 0 all accepted (or already present), 1 some rejected (see FILE.rejects.jsonl;
    the valid ones are stored), 2 fatal error (nothing stored).
    """
    from gongshi.importer import FatalImportError, import_file, scan
    from gongshi.report_import import KIND, import_reports
    from gongshi.trace_import import KINDS as TRACE_KINDS
    from gongshi.trace_import import import_trace

    platform = _platform()
    try:
        try:
            _, lines = scan(file)
            with tqdm(total=lines, desc="导入 importing", unit=" lines") as bar:
                def progress(line: int) -> None:
                    bar.update(line - bar.n)

                if kind == KIND:
                    summary = import_reports(platform, file, department=department, progress=progress)
                elif kind in TRACE_KINDS:
                    summary = import_trace(platform, file, kind=kind, department=department, progress=progress)
                else:
                    summary = import_file(platform, file, kind=kind, department=department, progress=progress)
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


@main.group()
def account() -> None:
    """Firm accounts (one per credit code) for credit repair and objections."""


@account.command("create")
@click.option("--credit-code", required=True, help="The firm's unified social credit code.")
@click.option("--reissue", is_flag=True, help="The account exists: print a fresh activation link (to reset the password).")
@click.option("--base-url", envvar="GONGSHI_BASE_URL", default="http://127.0.0.1:8000", show_default=True,
              help="The portal's public address, for the link (env GONGSHI_BASE_URL).")
def account_create(credit_code: str, reissue: bool, base_url: str) -> None:
    """Create a firm account and print its one-time activation link (only its hash is stored)."""
    from stores.accounts import AccountError

    platform = _platform()
    try:
        try:
            token = platform.accounts.create(credit_code, reissue=reissue)
        except AccountError as e:
            click.echo(f"error: {e.en} ({e.zh})", err=True)
            sys.exit(2)
        days = platform.accounts.policy.activation_days
        click.echo(f"{base_url.rstrip('/')}/firm/activate/{token}")
        click.echo(f"one-time link, valid for {days} days; hand it to the firm over a trusted channel", err=True)
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
        elif entry["rule"] == "confirmed_contribution":
            click.echo(f"{kind}: 报送方报送、主管部门核实 (confirmed contributions, schemas/contributions.json)")
        else:
            click.echo(f"{kind}: 作出决定的机关 (the deciding authority)")


@main.command()
@click.option("--verify", is_flag=True, help="Rebuild into a scratch database and report any difference from the live read models.")
@click.option("--to", "to", metavar="POSITION|DATE|TIME",
              help="Build a scratch copy of every view as of a log position or an ISO 8601 date or time (a date means "
                   "the end of that day, a time without a zone is China time); the live views stay.")
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), help="Directory for the --to copy.")
def replay(verify: bool, to: str | None, into: Path | None) -> None:
    """Drop every read model and rebuild it from the event log."""
    from gongshi import replay as replaying

    platform = _platform()
    try:
        if to is not None:
            _replay_to(platform, to, into)
            return
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


def _replay_to(platform, to: str, into: Path | None) -> None:
    from gongshi.replay import replay_to, resolve_position

    try:
        position = resolve_position(platform, to)
        with tqdm(total=position, desc="重放 replaying", unit=" events") as bar:
            copy = replay_to(platform, position, into, progress=bar.update)
    except MomentError as e:
        click.echo(f"error: {e.zh}\n{e.en}", err=True)
        sys.exit(2)
    except ValueError as e:
        click.echo(f"error: --to: {e}", err=True)
        sys.exit(2)
    click.echo(f"built every view as of log position {position} in {copy.home}")
    click.echo(f"views database: {copy.views}")


@main.command()
@click.option("--head-file", "head_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A signed head kept outside the instance (JSON, as served by /api/v1/log/head); repeatable.")
@click.option("--key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The instance's public key PEM (default: the signing key under GONGSHI_HOME).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify(head_files: tuple[Path, ...], key_file: Path | None, as_json: bool) -> None:
    """Recompute the Merkle tree from the event store; check it against the integrity log and every kept head.

    Names the first position where anything was modified, deleted, inserted or reordered.
    Exit status: 0 verified, 1 something was altered.
    """
    from gongshi.verify import instance_public_pem, verify_log

    platform = _platform()
    try:
        pem = instance_public_pem(platform.log_key_path, key_file)
        if pem is None:
            click.echo("warning: no signing key under GONGSHI_HOME and no --key-file: head signatures are not checked",
                       err=True)
        kept = [json.loads(path.read_text(encoding="utf-8")) for path in head_files]
        with tqdm(total=platform.ledger.position(), desc="校验 verifying", unit=" events") as bar:
            report = verify_log(platform.ledger.recorder, platform.views_db, public_pem=pem, kept=kept,
                                progress=bar.update)
    finally:
        platform.close()
    first = report.first
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(f"{report.events} stored events, {report.witnessed} witnessed leaves, "
                   f"{report.heads_checked} signed heads checked")
        for finding in report.findings:
            click.echo(f"  {finding.kind:<11} {finding.message}")
        if report.unlisted:
            click.echo(f"  ... and {report.unlisted} more")
    if first is not None:
        where = f"position {first.position}" if first.position is not None else "see above"
        click.echo(f"ALTERED: first bad position: {where} ({first.kind}): {first.message}", err=True)
        sys.exit(1)
    if not as_json:
        click.echo("verified: the event store matches the integrity log and every signed head")


@main.group()
def index() -> None:
    """The full-text search index (kept in step with the log by the search projection)."""


@index.command("rebuild")
def index_rebuild() -> None:
    """Drop the search index and rebuild it from the event log, with a progress bar.

    The index has one writer at a time: stop `gongshi serve` on this GONGSHI_HOME first.
    """
    from search.interface import IndexBusyError

    platform = _platform()
    try:
        try:
            platform.search_projection.reset()
        except IndexBusyError:
            click.echo("error: another process (probably `gongshi serve`) is writing the search index; stop it first",
                       err=True)
            sys.exit(1)
        end = platform.ledger.position()
        with tqdm(total=end, desc="索引 indexing", unit=" events") as bar:
            position = platform.runner.catch_up(progress=bar.update)
        click.echo(f"rebuilt the search index up to log position {position}")
    finally:
        platform.close()


from gongshi.cli_contributors import contributor  # noqa: E402 - registered below
from gongshi.cli_deadlines import deadlines  # noqa: E402
from gongshi.cli_lenders import lender  # noqa: E402 - registered below
from gongshi.cli_online import platform_group  # noqa: E402 - registered below
from gongshi.cli_quality import quality  # noqa: E402 - registered below
from gongshi.cli_supervision import grades, inspections  # noqa: E402

main.add_command(grades)
main.add_command(inspections)
main.add_command(deadlines)
main.add_command(contributor)
main.add_command(lender)
main.add_command(platform_group)
main.add_command(quality)


@main.command()
@click.option("--ckan", "ckan_url", required=True, metavar="URL", help="Address of the CKAN portal to publish to.")
@click.option("--apikey", required=True, envvar="GONGSHI_CKAN_APIKEY", help="API token on that portal (a publisher).")
@click.option("--dataset", "names", multiple=True, metavar="NAME", help="Only this dataset (repeatable; default: all).")
@click.option("--prefix", default="", help="Put before each dataset name on the portal (e.g. huanren- when a county "
              "publishes into its city's Gongshi, which has datasets of the same names).")
def publish(ckan_url: str, apikey: str, names: tuple[str, ...], prefix: str) -> None:
    """Push the open datasets to a CKAN portal with ckanapi; running it twice changes nothing."""
    from publishing.catalog import DatasetNotFound
    from publishing.push import publish as push

    platform = _platform()
    try:
        platform.runner.catch_up()
        try:
            reports = push(platform.opendata, ckan_url, apikey, names, prefix=prefix)
        except DatasetNotFound as e:
            click.echo(f"error: no dataset named {e}; see the /datasets page or `package_list`", err=True)
            sys.exit(2)
        for report in reports:
            click.echo(report.line())
        failed = [r for r in reports if r.error]
        changed = [r for r in reports if not r.error and r.changed]
        click.echo(f"{len(reports)} datasets: {len(changed)} changed, {len(reports) - len(changed) - len(failed)} "
                   f"unchanged, {len(failed)} failed")
        sys.exit(1 if failed else 0)
    finally:
        platform.close()


if __name__ == "__main__":
    main()
