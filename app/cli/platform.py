"""`flask --app wsgi setup`, `taxonomy load` and `rounds create|list|archive`."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from alembic import command
from flask.cli import AppGroup

from app.cli.common import fail_with
from app.db import db, write_intent
from app.i18n import LANGUAGES, localized
from app.migrate import alembic_config
from app.services import DomainError, ValidationFailed
from app.services.platform import rounds
from app.services.platform import taxonomy as taxonomy_service
from app.services.reporting import archive
from app.services.strategy import sample as strategy_sample

taxonomy_cli = AppGroup("taxonomy", help="The strategy's principles, commitments and vocabularies.")


rounds_cli = AppGroup("rounds", help="Consultation rounds.")


@taxonomy_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                default=taxonomy_service.DEFAULT_FILE)
@click.option("--version", "version_code", default=taxonomy_service.DEFAULT_VERSION,
              show_default=True, help="Strategy version the items belong to.")
@click.option("--refresh", is_flag=True,
              help="Overwrite stored labels and keyword lexicon with the files' (undoes "
                   "corrections made in the admin panel).")
def taxonomy_load(path: Path, version_code: str, refresh: bool) -> None:
    """Load the taxonomy from PATH: add new items and missing languages (idempotent)."""
    write_intent.set(True)
    result = taxonomy_service.load(db.session, path, version_code, refresh=refresh)
    db.session.commit()
    click.echo(f"Strategy version {result.version.code}: {result.added} items added, "
               f"{result.updated} updated.")


def _parse_time(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"not an ISO 8601 date or time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@rounds_cli.command("create")
@click.option("--file", "file_", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A JSON file with title, description and questions per language, "
                   "opens_at and closes_at.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of --title, --description and --question.")
@click.option("--title")
@click.option("--description", default="")
@click.option("--question", "questions", multiple=True, help="A guiding question (repeatable).")
@click.option("--opens", help="Opening time, ISO 8601 (UTC if no offset). Default: now.")
@click.option("--closes", help="Closing time, ISO 8601 (UTC if no offset).")
def rounds_create(file_: Path | None, lang: str, title: str | None, description: str,
                  questions: tuple[str, ...], opens: str | None, closes: str | None) -> None:
    """Create a consultation round."""
    write_intent.set(True)
    if file_ is not None:
        spec = json.loads(file_.read_text(encoding="utf-8"))
        title_texts = spec.get("title", {})
        description_texts = spec.get("description", {})
        question_texts = spec.get("questions", [])
        opens = opens or spec.get("opens_at")
        closes = closes or spec.get("closes_at")
    else:
        if not title:
            raise click.UsageError("Give --title (or --file).")
        title_texts = {lang: title}
        description_texts = {lang: description} if description else {}
        question_texts = [{lang: q} for q in questions]
    if not closes:
        raise click.UsageError("Give --closes (or closes_at in the file).")
    opens_at = _parse_time(opens) if opens else dt.datetime.now(dt.UTC)
    try:
        created = rounds.create_round(db.session, title=title_texts,
                                      description=description_texts, questions=question_texts,
                                      opens_at=opens_at, closes_at=_parse_time(closes))
    except ValidationFailed as exc:
        fail_with(exc)
    db.session.commit()
    click.echo(f"Created round {created.id}.")


@rounds_cli.command("list")
def rounds_list() -> None:
    """List rounds with their state."""
    for r in rounds.list_rounds(db.session):
        state = "open" if r.is_open else "closed"
        click.echo(f"{r.id}\t{state}\t{r.opens_at:%Y-%m-%d %H:%M}Z\t{r.closes_at:%Y-%m-%d %H:%M}Z"
                   f"\t{localized(r.title, 'en')}")


@rounds_cli.command("archive")
@click.argument("round_id", type=int)
def rounds_archive(round_id: int) -> None:
    """Close ROUND_ID if still open and freeze its counts for comparing rounds."""
    write_intent.set(True)
    try:
        snapshot = archive.archive_round(db.session, rounds.get_round(db.session, round_id),
                                         by=None)
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    click.echo(f"Archived round {round_id}: {snapshot.total} approved submissions, "
               f"counts frozen.")


def setup_command() -> None:
    """Everything a fresh install needs before serving (idempotent): migrate to head,
    load the taxonomy, create an open demo round when there is no round, and load the
    sample strategy text when there is none."""
    command.upgrade(alembic_config(), "head")
    write_intent.set(True)
    result = taxonomy_service.load(db.session)
    demo = rounds.ensure_demo_round(db.session)
    strategy = strategy_sample.ensure_sample(db.session)
    db.session.commit()
    click.echo(f"Database at head. Taxonomy {result.version.code}: {result.added} added, "
               f"{result.updated} updated.")
    if strategy is not None:
        click.echo(f"Loaded the sample strategy text {strategy.label} (placeholder paragraphs).")
    if demo is not None:
        click.echo(f"Created demo round {demo.id}, open until {demo.closes_at:%Y-%m-%d}.")
