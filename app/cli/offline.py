"""Commands for offline intake and the outbox: `flask --app wsgi intake import FILE ...`
and `flask --app wsgi outbox send`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.db import db, write_intent
from app.models import Channel, Round
from app.services import DomainError, ValidationFailed
from app.services.contributions import offline_intake
from app.services.platform import rounds as rounds_service
from app.services.publishing import outbox as outbox_service

intake_cli = AppGroup("intake", help="Views collected offline (workshops, paper forms).")
outbox_cli = AppGroup("outbox", help="Emails to contributors.")


def _default_round() -> Round:
    """The only round, or the latest one (the list is latest first)."""
    found = rounds_service.list_rounds(db.session)
    if not found:
        raise click.ClickException("There is no round: create one first.")
    return found[0]


@intake_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True,
              help='Where and when the views were collected, e.g. "Workshop, Nairobi, 2026-03-02".')
@click.option("--round", "round_id", type=int, help="Round id (default: the latest round).")
@click.option("--facilitator", default=None, help="Who ran the session.")
@click.option("--channel", type=click.Choice([c.value for c in offline_intake.OFFLINE_CHANNELS]),
              default=Channel.WORKSHOP.value, show_default=True)
@click.option("--dry-run", is_flag=True, help="Check the rows and import nothing.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the error report (CSV: row, column, message) to this file.")
def intake_import(path: Path, source: str, round_id: int | None, facilitator: str | None,
                  channel: str, dry_run: bool, report: Path | None) -> None:
    """Import the views in PATH (CSV in UTF-8, or XLSX); see docs/workshop-intake.md."""
    write_intent.set(True)
    if round_id is not None:
        round_ = db.session.get(Round, round_id)
        if round_ is None:
            raise click.ClickException(f"There is no round {round_id}.")
    else:
        round_ = _default_round()
    try:
        record = offline_intake.import_file(
            db.session, round_, path.name, path.read_bytes(), source=source, channel=channel,
            facilitator=facilitator, dry_run=dry_run, by=None)
    except ValidationFailed as exc:
        raise click.ClickException("; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}"
            for name, messages in exc.errors.items())) from None
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    valid = offline_intake.valid_count(record)
    if dry_run:
        click.echo(f"Checked {record.rows} rows: {valid} would be imported, "
                   f"{record.repeated} already imported, {record.failed} with problems. "
                   "Nothing was imported (--dry-run).")
    else:
        click.echo(f"Read {record.rows} rows: {record.created} new submissions, "
                   f"{record.repeated} already imported (nothing new), "
                   f"{record.failed} with problems.")
    for number, column, message in record.errors:
        click.echo(f"row {number}, {column or '-'}: {message}", err=True)
    if report is not None:
        report.write_text(offline_intake.error_report_csv(record, ("row", "column", "message")),
                          encoding="utf-8")
        click.echo(f"Error report written to {report}.")
    if record.failed:
        raise SystemExit(1)


@outbox_cli.command("send")
@click.option("--batch", type=click.IntRange(1, 1000), default=100, show_default=True)
def outbox_send(batch: int) -> None:
    """Send the queued messages by SMTP (MAIL_SERVER...), one connection per batch.

    A message that fails stays queued for the next run, up to a few attempts."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise click.ClickException("MAIL_SERVER is not set: nothing sent. Admins can read the "
                                   "queued messages in the admin panel (Outbox).")
    write_intent.set(True)
    total = outbox_service.SendResult()
    after = 0
    while True:
        result = outbox_service.send_batch(db.session, config, after_id=after, limit=batch)
        db.session.commit()
        if result.last_id == after:
            break
        after = result.last_id
        total.sent += result.sent
        total.retry += result.retry
        total.failed += result.failed
        total.dropped += result.dropped
    click.echo(f"Sent {total.sent}; {total.retry} to retry later; {total.failed} failed "
               f"for good; {total.dropped} dropped (view erased).")
    if total.retry or total.failed:
        # The cron job that runs this must notice that mail is not going out.
        click.echo("Some messages could not be delivered: see the last error on the admin "
                   "outbox page.", err=True)
        raise SystemExit(1)
