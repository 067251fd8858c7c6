"""The `regiospiegel` command line: Flask's CLI group with the app preloaded."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

import reports
from assessment import config, db, demo, management, programmes, questionnaire_files, retention
from assessment.exceptions import (
    AccountError,
    BackupError,
    DemoUnavailable,
    ProgrammeError,
    RenderError,
    ReportQueueUnavailable,
)
from assessment.links import external_url
from assessment.models import Assessment
from questions.lint import lint
from reports.build import report_context, report_html, report_key

#: ``--actor`` on every command the audit log records; see :func:`operator`.
actor_option = click.option(
    "--actor", default="", metavar="NAME",
    help="Who runs this, for the audit log (default: the operating-system user alone).")


def operator(actor: str) -> management.Operator:
    """Who runs this command, as the audit log records it: the operating-system user, and
    the name given with ``--actor`` if any."""
    try:
        user = getpass.getuser()
    except OSError:  # no user name in the environment or the password database
        user = f"uid {os.getuid()}"
    return management.Operator(system_user=user, name=actor)


def init_app(app: Flask) -> None:
    """Register the commands on the app."""
    app.cli.add_command(demo_command)
    app.cli.add_command(list_command)
    app.cli.add_command(create_facilitator_command)
    app.cli.add_command(questions_group)
    app.cli.add_command(report_command)
    app.cli.add_command(purge_command)
    app.cli.add_command(reset_password_command)
    app.cli.add_command(import_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(db_group)
    app.cli.add_command(worker_command)
    app.cli.add_command(programme_group)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Seed the demo facilitator, the closed Regio Zwolle scan and a try-out scan (idempotent)."""
    try:
        result = demo.seed()
    except (DemoUnavailable, AccountError) as exc:
        raise click.ClickException(str(exc)) from exc
    with current_app.test_request_context():
        click.echo(result.describe(external_url("participant.welcome", code=result.join_code)))
        click.echo(f"  facilitator login page: {external_url('facilitator.login')}")


@click.command("list")
@with_appcontext
def list_command() -> None:
    """List assessments: id, join code, title, status, respondents."""
    assessments = list(db.read_session().scalars(select(Assessment).order_by(Assessment.id)))
    counts = management.respondent_counts([a.id for a in assessments])
    click.echo(f"{'id':>4}  {'code':<8} {'status':<7} {'started':>7} {'submitted':>9}  title")
    for a in assessments:
        started, submitted = counts[a.id]
        click.echo(f"{a.id:>4}  {a.join_code:<8} {a.status:<7} {started:>7} {submitted:>9}  "
                   f"{a.title}")
    if not assessments:
        click.echo("(no assessments yet; `regiospiegel demo` seeds one)")


@click.command("create-facilitator")
@click.argument("email")
@click.option("--name", default="", help="Display name.")
@click.option("--admin", is_flag=True, help="May manage facilitators.")
@actor_option
@with_appcontext
def create_facilitator_command(email: str, name: str, admin: bool, actor: str) -> None:
    """Create a facilitator; the password comes from REGIOSPIEGEL_PASSWORD or a prompt."""
    password = os.environ.get("REGIOSPIEGEL_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        facilitator_id = management.create_facilitator(email, password, name, admin,
                                                        actor=operator(actor))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created facilitator {facilitator_id}: {email.strip().lower()}")


@click.command("report")
@click.argument("assessment")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the PDF (default: regiospiegel-<id>.pdf).")
@actor_option
@with_appcontext
def report_command(assessment: str, output: Path | None, actor: str) -> None:
    """Write the PDF advice report of ASSESSMENT (its id or join code, as `list` shows)."""
    found = _find_assessment(assessment)
    static = Path(current_app.static_folder or "").resolve().as_uri() + "/"
    html = report_html(report_context(found), static)
    try:
        pdf = reports.jobs().render_now(report_key(html), html, found.id)
    except RenderError as exc:
        raise click.ClickException(f"the report could not be rendered: {exc}") from exc
    target = output or Path(f"regiospiegel-{found.id}.pdf")
    target.write_bytes(pdf.read_bytes())
    management.record_event("report_written", operator(actor), found.id, str(target))
    click.echo(f"wrote {target} ({target.stat().st_size // 1024} KiB)")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Render the PDF reports and send the invitation e-mails the web servers queue (needs
    REDIS_URL); runs until stopped."""
    from redis.exceptions import RedisError

    from reports.queue import report_worker

    try:
        worker = report_worker(current_app._get_current_object())  # type: ignore[attr-defined]
    except ReportQueueUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"report worker {worker.name} on queue {worker.queue_names()[0]}")
    try:
        worker.work(burst=burst, logging_level="INFO")
    except RedisError as exc:
        raise click.ClickException(f"the report queue (Redis) cannot be reached: {exc}") from exc
    finally:
        reports.jobs().close()


def _find_assessment(reference: str) -> Assessment:
    session = db.read_session()
    found = session.get(Assessment, int(reference)) if reference.isdigit() else None
    if found is None:
        found = management.assessment_by_join_code(reference)
    if found is None:
        raise click.ClickException(
            f"no assessment '{reference}'; `regiospiegel list` shows ids and join codes")
    return found


def _retention_days(_context: click.Context, _parameter: click.Parameter,
                    text: str | None) -> int | None:
    """``--days`` by the rule of REGIOSPIEGEL_RETENTION_DAYS (None: not given)."""
    if text is None:
        return None
    days = config.RETENTION_DAYS.parse(text)
    if days is None:
        raise click.BadParameter(f"expects {config.RETENTION_DAYS.expects()}, not {text!r}")
    return int(days)


@click.command("purge")
@click.option("--days", default=None, callback=_retention_days, metavar="DAYS",
              help="Retention in days (default: REGIOSPIEGEL_RETENTION_DAYS, 365).")
@click.option("--dry-run", is_flag=True, help="Only list what would be purged.")
@actor_option
@with_appcontext
def purge_command(days: int | None, dry_run: bool, actor: str) -> None:
    """Remove raw answers of assessments closed longer ago than the retention period.

    Also removes starts that never saved a page, 12 hours after they were made, and the
    e-mail addresses of invitations after INVITATION_ADDRESS_DAYS days.
    """
    days = current_app.config["RETENTION_DAYS"] if days is None else days
    if not dry_run:
        empty = retention.remove_expired_empty_starts()
        if empty:
            click.echo(f"removed {empty} start(s) that never saved a page, after 12 hours")
        from assessment import mailing

        address_days = int(current_app.config["INVITATION_ADDRESS_DAYS"])
        forgotten = mailing.forget_expired_addresses(address_days)
        if forgotten:
            click.echo(f"{forgotten} e-mail address(es) of invitations deleted, after "
                       f"{address_days} days")
    due = retention.due_for_purge(days)
    if not due:
        click.echo(f"nothing to purge (retention {days} days)")
        return
    for assessment in due:
        if dry_run:
            click.echo(f"would purge {assessment.id} {assessment.join_code} {assessment.title}")
        else:
            retention.purge(assessment.id, operator(actor), reason=f"retention {days} days")
    if not dry_run:
        click.echo(f"purged {len(due)} assessment(s): raw answers removed, summaries kept")


@click.command("reset-password")
@click.argument("email")
@actor_option
@with_appcontext
def reset_password_command(email: str, actor: str) -> None:
    """Give a facilitator a new password (prompted, or from REGIOSPIEGEL_PASSWORD)."""
    password = os.environ.get("REGIOSPIEGEL_PASSWORD") or click.prompt(
        "New password", hide_input=True, confirmation_prompt=True)
    try:
        management.reset_password(email, password, operator(actor))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"new password set for {email.strip().lower()}")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--owner", required=True,
              help="E-mail of the facilitator who will own the imported assessment.")
@actor_option
@with_appcontext
def import_command(file: Path, owner: str, actor: str) -> None:
    """Restore an assessment from a backup (`regiospiegel backup`, admin pages) as a new one."""
    from assessment import backup

    try:
        result = backup.import_backup(backup.read_backup_file(file), owner, operator(actor))
    except BackupError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    click.echo(result.describe())


@click.command("backup")
@click.argument("assessment")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the backup (default: regiospiegel-backup-<id>.json).")
@click.option("--reason", default="", help="Why, for the audit log.")
@actor_option
@with_appcontext
def backup_command(assessment: str, output: Path | None, reason: str, actor: str) -> None:
    """Write a backup with the raw answers of ASSESSMENT (id or join code), to move it.

    The file is readable by its owner only; the backup is written to the audit log.
    """
    from assessment import backup

    found = _find_assessment(assessment)
    document = backup.backup_document(found)
    target = output or Path(f"regiospiegel-backup-{found.id}.json")
    # Created private from the start: the file holds each respondent's answers.
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # also when the file was there already
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(backup.backup_json(document))
    detail = backup.describe_backup(document) + "; from the command line"
    backup.record_backup(found.id, operator(actor),
                         detail + (f"; reason: {reason}" if reason else ""))
    click.echo(f"wrote {target}: {detail}")
    click.echo("  it holds each respondent's answers: keep it safe, delete it after the move")


@click.group("questions")
def questions_group() -> None:
    """Questionnaire content."""


@questions_group.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def lint_command(paths: tuple[Path, ...]) -> None:
    """Check questionnaire files; print every problem and exit 1 when there is one."""
    ok, problems = lint(paths)
    for line in ok:
        click.echo(line)
    for line in problems:
        click.echo(line, err=True)
    if problems:
        sys.exit(1)


@click.group("programme")
def programme_group() -> None:
    """Programmes: regions side by side (a landscape), and their owners."""


@programme_group.command("create")
@click.argument("name")
@click.option("--questionnaire", "questionnaire_id", default="tien-lessen", show_default=True,
              help="The questionnaire id its scans use (any version with the same lessons).")
@with_appcontext
def programme_create_command(name: str, questionnaire_id: str) -> None:
    """Create a programme NAME for scans on a questionnaire of this installation."""
    found = [q for (qid, _language), q in questionnaire_files.available().items()
             if qid == questionnaire_id]
    if not found:
        raise click.ClickException(f"no questionnaire '{questionnaire_id}' in QUESTIONS_DIR")
    try:
        programme_id = programmes.create_programme(name, found[0])
    except ProgrammeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created programme {programme_id}: {name}")


@programme_group.command("add-owner")
@click.argument("name")
@click.argument("email")
@with_appcontext
def programme_add_owner_command(name: str, email: str) -> None:
    """Make the account EMAIL an owner of programme NAME (create the account first)."""
    programme = programmes.programme_by_name(name)
    if programme is None:
        raise click.ClickException(f"no programme named '{name}'")
    try:
        programmes.add_owner(programme.id, email)
    except ProgrammeError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{email.strip().lower()} now owns programme '{programme.name}'")


@click.group("db")
def db_group() -> None:
    """The database."""


@db_group.command("upgrade")
@with_appcontext
def upgrade_command() -> None:
    """Upgrade the database to the latest migration."""
    db.upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")


def _create_app() -> Flask:
    from assessment import create_app

    return create_app()


def main() -> None:
    """Entry point of the `regiospiegel` console script."""
    from assessment.config import InvalidSetting
    from assessment.security import UnsafeConfiguration
    from questions.loader import QuestionnaireError

    cli = FlaskGroup(create_app=_create_app, add_default_commands=True,
                     help="Regiospiegel: a self-scan for regional cooperation.")
    # The linter must work when a questionnaire is broken, i.e. without starting the app.
    cli.add_command(questions_group)
    try:
        cli.main(standalone_mode=True)
    except QuestionnaireError as exc:
        click.echo(f"Error: cannot start: {exc.one_line()}", err=True)
        sys.exit(1)
    except (UnsafeConfiguration, InvalidSetting) as exc:
        click.echo(f"Error: cannot start: {exc}", err=True)
        sys.exit(1)
